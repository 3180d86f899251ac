/**
 * Traces across the wire: a task carries its element's trace context (W3C `traceparent` with the
 * SDK's default propagator) in the NATS headers of its batch, and the worker's span for the task
 * joins that trace. Everything goes through `@opentelemetry/api`: without an SDK, no span is ever
 * active, no header is written and the worker starts no span.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import type { Headers } from '../transport/bus';

/** A task on its way: its sequence number and the trace context of its element, if it has one. */
export interface TracedTask {
  readonly seq: number;
  readonly trace: Context | undefined;
}

/** The active context at the moment an element enters a segment, when a span is active in it. */
export function activeTraceContext(): Context | undefined {
  const active = context.active();
  return trace.getSpan(active) === undefined ? undefined : active;
}

/**
 * Headers carrying the tasks' trace contexts: a batch of one carries plain `traceparent` (and
 * `tracestate`); in a batch of several, each task's keys are prefixed with `rivulet-task-<seq>-`.
 */
export function traceHeaders(tasks: readonly TracedTask[]): Headers | undefined {
  let headers: Record<string, string> | undefined = undefined;
  for (const task of tasks) {
    if (task.trace === undefined) continue;
    headers ??= {};
    propagation.inject(task.trace, headers, setterWith(keyPrefix(task.seq, tasks.length)));
  }
  return headers === undefined || Object.keys(headers).length === 0 ? undefined : headers;
}

/** The trace context task `seq` of a batch of `batchSize` tasks arrived with, if it carried a span's. */
export function taskTraceContext(headers: Headers | undefined, seq: number, batchSize: number): Context | undefined {
  if (headers === undefined) return undefined;
  const extracted = propagation.extract(ROOT_CONTEXT, headers, getterWith(keyPrefix(seq, batchSize)));
  return trace.getSpanContext(extracted) === undefined ? undefined : extracted;
}

/**
 * Runs `work` inside a span named `name`, a child of `parent` (the element's context); the task's
 * own spans nest under it. A failure marks the span as an error. `attributes` is called only for
 * a span that records. (A task that arrived without a trace context runs without a span: an
 * application tracing requests gets no one-span trace per element that no request caused.)
 */
export async function runInSpan<T>(name: string, parent: Context, attributes: () => Attributes, work: () => Promise<T>): Promise<T> {
  const span = trace.getTracer('rivulet').startSpan(name, { kind: SpanKind.CONSUMER }, parent);
  if (span.isRecording()) span.setAttributes(attributes());
  try {
    return await context.with(trace.setSpan(parent, span), work);
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

function keyPrefix(seq: number, batchSize: number): string {
  return batchSize === 1 ? '' : `rivulet-task-${seq}-`;
}

function setterWith(prefix: string): TextMapSetter<Record<string, string>> {
  return { set: (carrier, key, value) => (carrier[prefix + key] = value) };
}

function getterWith(prefix: string): TextMapGetter<Headers> {
  return {
    keys: (carrier) => Object.keys(carrier).filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length)),
    get: (carrier, key) => carrier[prefix + key],
  };
}
