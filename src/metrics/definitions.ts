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

/** Labelled `segment` (its id), `tasks` (`inc>double`) and `node` (the gather node's name). */
export const SEGMENT_METRICS = {
  inFlight: metric('rivulet.segment.in_flight', 'gauge', '{task}', 'Tasks sent to workers and not answered yet'),
  credits: metric('rivulet.segment.credits', 'gauge', '{credit}', 'Credits the scatter side holds (tasks it may still send)'),
  pending: metric('rivulet.segment.pending', 'gauge', '{element}', 'Elements the segment accepted and has not delivered yet'),
  duplicates: metric('rivulet.segment.duplicates', 'counter', '{result}', 'Results dropped because their element was already delivered (re-sent tasks)'),
} as const;

export const METRICS: readonly MetricDefinition[] = [...Object.values(NODE_METRICS), ...Object.values(SEGMENT_METRICS)];
