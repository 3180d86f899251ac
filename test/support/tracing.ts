/**
 * The OpenTelemetry SDK with an in-memory exporter, for trace tests. A test process calls
 * `registerTracing()`; a `rivulet worker` process loads this module with `--tasks` and
 * RIVULET_TEST_TRACING=1 set, and hands the spans it finished back through the `finishedSpans` task.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { task } from '../../src';

/** What a test compares of a span. */
export interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  attributes: Record<string, unknown>;
}

/** Registers the SDK globally (tracer provider, W3C propagator, async context); returns the exporter holding finished spans. */
export function registerTracing(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return exporter;
}

/** Undoes `registerTracing()`. */
export function unregisterTracing(): void {
  trace.disable();
  propagation.disable();
  context.disable();
}

export function spanRecord(span: ReadableSpan): SpanRecord {
  const { traceId, spanId } = span.spanContext();
  return { name: span.name, traceId, spanId, parentSpanId: span.parentSpanContext?.spanId, attributes: { ...span.attributes } };
}

const workerExporter = process.env.RIVULET_TEST_TRACING === '1' ? registerTracing() : undefined;

/** In a worker process: the spans it finished so far. */
export const finishedSpans = task('finishedSpans', (): SpanRecord[] => (workerExporter?.getFinishedSpans() ?? []).map(spanRecord));
