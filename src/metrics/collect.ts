import { countersOf } from '../inspect/counters';
import { nodeName } from '../inspect/names';
import { isSegmentEnd, segmentTasks, type SegmentEnd } from '../inspect/segments';
import type { Stream } from '../stream';
import { NODE_METRICS, SEGMENT_METRICS, type MetricDefinition } from './definitions';

export type MetricAttributes = Readonly<Record<string, string>>;

export type Observe = (metric: MetricDefinition, value: number, attributes: MetricAttributes) => void;

/** Reads every metric of `nodes` (their counters, and their segments' for `gather()` nodes). */
export function collectMetrics(nodes: Iterable<Stream<unknown>>, observe: Observe): void {
  for (const node of nodes) {
    const attributes = { node: nodeName(node), node_id: String(node.id) };
    const counters = countersOf(node);
    observe(NODE_METRICS.in, counters.in, attributes);
    observe(NODE_METRICS.out, counters.out, attributes);
    observe(NODE_METRICS.errors, counters.errors, attributes);
    observe(NODE_METRICS.pending, counters.pending, attributes);
    if (isSegmentEnd(node)) collectSegment(node, attributes.node, observe);
  }
}

function collectSegment(end: SegmentEnd, node: string, observe: Observe): void {
  const { segment } = end;
  const attributes = { segment: segment.id, tasks: segmentTasks(end), node };
  observe(SEGMENT_METRICS.inFlight, segment.tasksInFlight, attributes);
  observe(SEGMENT_METRICS.credits, segment.availableCredits, attributes);
  observe(SEGMENT_METRICS.pending, segment.pendingElements, attributes);
  observe(SEGMENT_METRICS.duplicates, segment.duplicates, attributes);
}
