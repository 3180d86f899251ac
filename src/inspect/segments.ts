import type { Segment } from '../distributed/client/segment';
import type { Stream } from '../stream';
import { nodeDetail } from './names';

/** What the inspector reads of a segment. */
export type SegmentView = Pick<Segment, 'id' | 'duplicates' | 'tasksSent' | 'resultsReceived' | 'retries' | 'resent' | 'pendingElements' | 'availableCredits' | 'tasksInFlight' | 'scatterState' | 'gatherState'>;

/** The end of a distributed segment (its `gather()` node), as the inspector reads it. */
export type SegmentEnd = Stream<unknown> & { readonly segment: SegmentView };

/** Whether `node` ends a distributed segment (read by shape: the inspector imports no distributed code). */
export function isSegmentEnd(node: Stream<unknown>): node is SegmentEnd {
  return node.kind === 'gather' && 'segment' in node;
}

interface SegmentPath {
  /** The scatter node where the segment starts, if still connected. */
  start: Stream<unknown> | undefined;
  /** The nodes between scatter and gather, scatter side first. */
  between: Stream<unknown>[];
}

function pathOf(end: SegmentEnd): SegmentPath {
  const between: Stream<unknown>[] = [];
  for (let node = end.upstreams[0]; node !== undefined && !between.includes(node); node = node.upstreams[0]) {
    if (node.kind === 'scatter') return { start: node, between };
    between.unshift(node);
  }
  return { start: undefined, between };
}

export function segmentStart(end: SegmentEnd): Stream<unknown> | undefined {
  return pathOf(end).start;
}

/** The tasks a segment runs, as one name (`inc>double`): its task nodes from scatter to gather. */
export function segmentTasks(end: SegmentEnd): string {
  const tasks = pathOf(end)
    .between.filter((node) => 'step' in node)
    .map(nodeDetail);
  return tasks.length === 0 ? end.segment.id : tasks.join('>');
}
