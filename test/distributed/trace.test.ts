/**
 * Traces across NATS: a task carries its element's W3C traceparent in the headers of its batch,
 * and the span a real `rivulet worker` process starts for it joins the element's trace.
 */
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { Client, Stream } from '../../src';
import { NatsServer } from '../support/nats-server';
import { finishedSpans, registerTracing, spanRecord, unregisterTracing, type SpanRecord } from '../support/tracing';
import { startWorkerCommand, stopStarted, workerReady, type Started } from '../support/worker-process';
import { double, inc } from './fixtures/tasks';
import { TASKS_MODULE } from './support/deployments';

const TRACING_MODULE = join(__dirname, '..', 'support', 'tracing.ts');
const START = 45_000;

describe('traces from the client to a worker process (real nats-server)', () => {
  const prefix = `trace${process.pid}`;
  const started: Started = {};

  afterEach(async () => {
    unregisterTracing();
    await stopStarted(started);
  });

  test("the worker's span for an element's task is a child of the element's span, in its trace; tasks batched together keep their own; an element without a span gets no worker span", async () => {
    const server = (started.server = await NatsServer.start());
    const worker = (started.worker = startWorkerCommand(['--servers', server.url, '--tasks', TASKS_MODULE, '--tasks', TRACING_MODULE, '--prefix', prefix, '--concurrency', '4'], { RIVULET_TEST_TRACING: '1' }));
    await workerReady(worker, START);
    const exporter = registerTracing();
    const client = (started.client = new Client({ servers: server.url, prefix }));
    await client.whenReady();

    const source = new Stream<number>();
    const out = source.scatter({ client }).map(inc).gather().sinkToList();
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('element 7', async (span) => {
      await source.emit(7);
      span.end();
    });
    await source.emit(8);
    expect(out).toEqual([8, 9]);
    // Buffered emits return at once: their tasks leave in one batch, each with its own context (the last with none).
    const buffered = new Stream<number>();
    const doubled = buffered.scatter({ client }).map(double).buffer(4).gather().sinkToList();
    const bufferedSpans = [0, 1, 2].map((i) =>
      tracer.startActiveSpan(`buffered ${i}`, (span) => {
        void buffered.emit(i);
        span.end();
        return span.spanContext().spanId;
      }),
    );
    void buffered.emit(3);
    await buffered.drain();
    expect(doubled).toEqual([0, 2, 4, 6]);

    const spans = new Stream<number>();
    const reported = spans.scatter({ client }).map(finishedSpans).gather().sinkToList();
    await spans.emit(0);
    const workerSpans = (reported[0] as SpanRecord[]).filter((span) => span.name === 'rivulet task inc');
    const [element] = exporter.getFinishedSpans().filter((span) => span.name === 'element 7').map(spanRecord);

    const traced = workerSpans.find((span) => span.attributes['rivulet.task.seq'] === 0);
    expect(traced).toMatchObject({ traceId: element.traceId, parentSpanId: element.spanId });
    expect(workerSpans.filter((span) => span.attributes['rivulet.task.seq'] === 1)).toEqual([]);
    const doubleParents = (reported[0] as SpanRecord[]).filter((span) => span.name === 'rivulet task double').map((span) => [span.attributes['rivulet.task.seq'], span.parentSpanId]);
    expect(doubleParents.sort()).toEqual(bufferedSpans.map((spanId, seq) => [seq, spanId]));
  }, 90_000);
});
