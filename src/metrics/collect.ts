import { countersOf } from '../inspect/counters';
import { nodeName } from '../inspect/names';
import { isSegmentEnd, segmentTasks, type SegmentEnd } from '../inspect/segments';
import type { Stream } from '../stream';
import { NODE_METRICS, SEGMENT_METRICS, WORKER_METRICS, type MetricDefinition } from './definitions';

export type MetricAttributes = Readonly<Record<string, string>>;

export type Observe = (metric: MetricDefinition, value: number, attributes: MetricAttributes) => void;

/** A worker's counts since it started, as metrics read them. */
export interface WorkerTaskCounts {
  /** Tasks finished, succeeded or failed. */
  readonly run: number;
  readonly failed: number;
  /** Tasks running now. */
  readonly running: number;
  /** Tasks taken, waiting for a slot. */
  readonly queued: number;
}

/** What metrics read of a worker (the metrics import no distributed code). */
export interface WorkerView {
  readonly id: string;
  readonly pool: string;
  readonly concurrency: number;
  readonly taskCounts: WorkerTaskCounts;
}

/** Reads every metric of `nodes` (their counters, and their segments' for `gather()` nodes). */
export function collectMetrics(nodes: Iterable<Stream<unknown>>, observe: Observe): void {
  for (const node of nodes) {
    const attributes = { node: nodeName(node), node_id: String(node.id) };
    const counters = countersOf(node);
    observe(NODE_METRICS.in, counters.in, attributes);
    observe(NODE_METRICS.out, counters.out, attributes);
    observe(NODE_METRICS.errors, counters.errors, attributes);
    observe(NODE_METRICS.pending, counters.pending, attributes);
    if (isSegmentEnd(node)) collectSegment(node, observe);
  }
}

/** The segment's `node` label is its scatter's name in the inspector (`scatter: inc>double`). */
function collectSegment(end: SegmentEnd, observe: Observe): void {
  const { segment } = end;
  const tasks = segmentTasks(end);
  const attributes = { segment: segment.id, tasks, node: `scatter: ${tasks}` };
  observe(SEGMENT_METRICS.tasksSent, segment.tasksSent, attributes);
  observe(SEGMENT_METRICS.results, segment.resultsReceived, attributes);
  observe(SEGMENT_METRICS.retries, segment.retries, attributes);
  observe(SEGMENT_METRICS.redispatches, segment.resent, attributes);
  observe(SEGMENT_METRICS.duplicates, segment.duplicates, attributes);
  observe(SEGMENT_METRICS.inFlight, segment.tasksInFlight, attributes);
  observe(SEGMENT_METRICS.credits, segment.availableCredits, attributes);
  observe(SEGMENT_METRICS.pending, segment.pendingElements, attributes);
}

/** Reads every metric of `workers`, labelled with the worker's id and pool. */
export function collectWorkerMetrics(workers: Iterable<WorkerView>, observe: Observe): void {
  for (const worker of workers) {
    const attributes = { worker: worker.id, pool: worker.pool };
    const counts = worker.taskCounts;
    observe(WORKER_METRICS.tasksRun, counts.run, attributes);
    observe(WORKER_METRICS.tasksFailed, counts.failed, attributes);
    observe(WORKER_METRICS.busySlots, counts.running, attributes);
    observe(WORKER_METRICS.slots, worker.concurrency, attributes);
    observe(WORKER_METRICS.queue, counts.queued, attributes);
  }
}
