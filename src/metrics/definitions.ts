/** Every metric Rivulet records: one list for OpenTelemetry and for the Prometheus text of `/metrics`. */
export type MetricKind = 'counter' | 'gauge';

export interface MetricDefinition {
  /** OpenTelemetry name (`rivulet.node.in`); Prometheus writes `rivulet_node_in_total`. */
  readonly name: string;
  /** `counter` only grows; `gauge` is a level that sums across nodes (an up-down counter in OpenTelemetry). */
  readonly kind: MetricKind;
  readonly unit: string;
  readonly description: string;
}

function metric(name: string, kind: MetricKind, unit: string, description: string): MetricDefinition {
  return { name, kind, unit, description };
}

/** Labelled `node` (the node's name, `map: inc`) and `node_id`. */
export const NODE_METRICS = {
  in: metric('rivulet.node.in', 'counter', '{element}', 'Elements the node received (for a source: emitted into it)'),
  out: metric('rivulet.node.out', 'counter', '{element}', 'Elements the node emitted'),
  errors: metric('rivulet.node.errors', 'counter', '{error}', 'Failures of the node: throws out of update and failures sent to errors'),
  pending: metric('rivulet.node.pending', 'gauge', '{element}', 'Elements the node holds now (buffers, windows, async calls, distributed tasks)'),
} as const;

/** Labelled `segment` (its id), `tasks` (`inc>double`) and `node` (the scatter as the inspector names it, `scatter: inc>double`). */
export const SEGMENT_METRICS = {
  tasksSent: metric('rivulet.segment.tasks_sent', 'counter', '{task}', 'Task sends to the pool, first sends and sends again'),
  results: metric('rivulet.segment.results', 'counter', '{result}', 'Results received from workers, duplicates and failures included'),
  retries: metric('rivulet.segment.retries', 'counter', '{task}', 'Failed attempts sent again under the retry policy'),
  redispatches: metric('rivulet.segment.redispatches', 'counter', '{task}', 'Tasks put back to be sent again: retries, lost workers, expired leases, lost or refused batches'),
  duplicates: metric('rivulet.segment.duplicates', 'counter', '{result}', 'Results dropped because their element was already delivered (re-sent tasks)'),
  inFlight: metric('rivulet.segment.in_flight', 'gauge', '{task}', 'Tasks sent to workers and not answered yet'),
  credits: metric('rivulet.segment.credits', 'gauge', '{credit}', 'Credits the scatter side holds (tasks it may still send)'),
  pending: metric('rivulet.segment.pending', 'gauge', '{element}', 'Elements the segment accepted and has not delivered yet'),
} as const;

/** Labelled `worker` (its id) and `pool`. */
export const WORKER_METRICS = {
  tasksRun: metric('rivulet.worker.tasks_run', 'counter', '{task}', 'Tasks the worker finished, succeeded or failed'),
  tasksFailed: metric('rivulet.worker.tasks_failed', 'counter', '{task}', 'Tasks that failed (threw, timed out or lacked a task)'),
  busySlots: metric('rivulet.worker.busy_slots', 'gauge', '{slot}', 'Slots running a task now'),
  slots: metric('rivulet.worker.slots', 'gauge', '{slot}', 'Tasks the worker runs at once (its concurrency)'),
  queue: metric('rivulet.worker.queue', 'gauge', '{task}', 'Tasks taken and waiting for a free slot (prefetch)'),
} as const;

export const METRICS: readonly MetricDefinition[] = [...Object.values(NODE_METRICS), ...Object.values(SEGMENT_METRICS), ...Object.values(WORKER_METRICS)];
