import type { Segment } from '../distributed/client/segment';
import type { Stream } from '../stream';
import { nodeDetail } from './names';

/** What the inspector reads of a segment. */
export type SegmentView = Pick<Segment, 'id' | 'duplicates' | 'tasksSent' | 'resultsReceived' | 'retries' | 'resent' | 'pendingElements' | 'availableCredits' | 'tasksInFlight' | 'scatterState' | 'gatherState'>;

/** The end of a distributed segment (its `gather()` node), as the inspector reads it. */
export type SegmentEnd = Stream<unknown> & { readonly segment: SegmentView };

/** What a durable segment (`scatter({ durable })`) tells besides: its stored elements and what came back after a restart. */
export interface DurableSegmentView {
  /** The durable name. */
  name: string;
  /** Tasks this process stored. */
  stored: number;
  /** Elements a previous run had stored and not delivered, found when the segment opened. */
  recovered: number;
  /** Deliveries marked as possible repeats. */
  repeats: number;
  /** Results delivered and not yet confirmed (acknowledged and trimmed). */
  unconfirmed: number;
}

type DurableFields = Omit<DurableSegmentView, 'unconfirmed'> & { unconfirmedResults: number };

/** The durable segment's view when `segment` is one (read by shape), else `undefined`. */
export function durableView(segment: SegmentView): DurableSegmentView | undefined {
  const fields = segment as Partial<DurableFields>;
  if (typeof fields.recovered !== 'number' || typeof fields.name !== 'string') return undefined;
  return { name: fields.name, stored: fields.stored ?? 0, recovered: fields.recovered, repeats: fields.repeats ?? 0, unconfirmed: fields.unconfirmedResults ?? 0 };
}

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
