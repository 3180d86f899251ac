import { jetstream } from '@nats-io/jetstream';
import { ArgumentRangeError, Client, CloseTimeoutError, durableDelivery, DurableSegmentError, Stream, type PipelineError, type TaskPolicy } from '../../../src';
import type { DurableGatherNode } from '../../../src/distributed/durable/durable-gather-node';
import { durableNames, GATHER_CONSUMER, type DurableNames } from '../../../src/distributed/durable/durable-names';
import { PROTOCOL_VERSION } from '../../../src/distributed/protocol';
import { Codec } from '../../../src/transport/codec';
import { Worker } from '../../../src/distributed/worker/worker';
import { InspectionModel } from '../../../src/inspect/model';
import { NatsServer } from '../../support/nats-server';
import { storedCount } from '../../support/jetstream';
import { NatsBus } from '../../../src/transport/nats-bus';
import { waitFor } from '../../support/wait-for';
import { failOnThree, inc, slowInc, whereSpun } from '../fixtures/tasks';

const TASKS = require.resolve('../fixtures/tasks');

describe('durable segments (real nats-server with JetStream)', () => {
  let server: NatsServer;
  let bus: NatsBus;
  const clients: Client[] = [];
  const workers: Worker[] = [];
  let count = 0;

  beforeAll(async () => {
    server = await NatsServer.start({ jetstream: true });
    bus = await NatsBus.connect({ servers: server.url });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close({ timeout: 2_000 }).catch(() => {})));
    await Promise.all(workers.splice(0).map((worker) => worker.drain()));
  });
  afterAll(async () => {
    await bus.close();
    await server.stop();
  });

  function freshPrefix(): string {
    return `durable${process.pid}x${++count}`;
  }

  async function client(prefix: string, url = server.url): Promise<Client> {
    const started = new Client({ servers: url, prefix });
    clients.push(started);
    await started.whenReady();
    return started;
  }

  async function worker(prefix: string): Promise<Worker> {
    const started = new Worker({ servers: server.url, prefix, tasks: TASKS, concurrency: 4, heartbeatInterval: 200 });
    workers.push(started);
    return started.start();
  }

  test('emit resolves once the task is stored; a worker joining later runs it and the result comes out', async () => {
    const prefix = freshPrefix();
    const c = await client(prefix);
    const source = new Stream<number>();
    const out = source.scatter({ client: c, durable: 'stored' }).map(inc).buffer(4).gather().sinkToList();
    await source.emit(1);
    await source.emit(2);
    const names = durableNames(c.subjects, 'stored');
    expect(await storedCount(bus.connection, names.taskStream)).toBe(2);
    expect(out).toEqual([]);
    await worker(prefix);
    await waitFor(() => out.length === 2, 10_000, 'two results');
    expect(out).toEqual([2, 3]);
  });

  test('results come out in emission order and drain() waits for them; the task stream is trimmed behind them', async () => {
    const prefix = freshPrefix();
    await worker(prefix);
    await worker(prefix);
    const c = await client(prefix);
    const source = new Stream<number>();
    const gathered = source.scatter({ client: c, durable: 'ordered' }).map(inc).buffer(8).gather();
    const out = gathered.sinkToList();
    for (let i = 0; i < 100; i++) await source.emit(i);
    await source.drain();
    expect(out).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const model = new InspectionModel({ pipelines: [source] });
    const gatherView = model.sample().graph.nodes.find((node) => node.kind === 'gather');
    model.close();
    expect(gatherView?.credits).toBeGreaterThan(0);
    const segment = (gathered as unknown as DurableGatherNode<number>).segment;
    await waitFor(() => segment.unconfirmedResults === 0, 5_000, 'confirmations');
    expect(await storedCount(bus.connection, durableNames(c.subjects, 'ordered').taskStream)).toBe(0);
  });

  test('a result whose emit downstream rejects is emitted again, marked repeat, not confirmed past (a sink that could not store it)', async () => {
    const prefix = freshPrefix();
    await worker(prefix);
    const c = await client(prefix);
    const source = new Stream<number>();
    const gathered = source.scatter({ client: c, durable: 'sinkfails' }).map(inc).buffer(4).gather();
    const out: Array<{ value: number; repeat: boolean }> = [];
    let refusals = 1;
    gathered.sink(async (value) => {
      if (value === 2 && refusals-- > 0) throw new Error('the sink could not store it');
      out.push({ value, repeat: durableDelivery(gathered)?.repeat === true });
    });
    const errors = gathered.errors.sinkToList();
    for (let i = 0; i < 3; i++) await source.emit(i);
    await source.drain();
    expect(out).toEqual([
      { value: 1, repeat: false },
      { value: 2, repeat: true },
      { value: 3, repeat: false },
    ]);
    expect(errors).toEqual([]);
  });

  /** Runs `inputs` through `scatter({ durable }).map(fn, policy).buffer(4).gather()` on one worker; the outputs and the errors. */
  async function runWithPolicy(durable: string, fn: (x: number) => unknown, policy: TaskPolicy, inputs: number[]): Promise<{ out: unknown[]; errors: PipelineError[] }> {
    const prefix = freshPrefix();
    await worker(prefix);
    const c = await client(prefix);
    const source = new Stream<number>();
    const gathered = source.scatter({ client: c, durable }).map(fn, policy).buffer(4).gather();
    const out = gathered.sinkToList();
    const errors = gathered.errors.sinkToList();
    for (const x of inputs) await source.emit(x);
    await source.drain();
    return { out, errors };
  }

  test('a failing task is retried by its policy, then dropped (term) and reported; later elements still come out', async () => {
    const { out, errors } = await runWithPolicy('poison', failOnThree, { retries: 1, backoff: 10 }, [1, 2, 3, 4]);
    expect(out).toEqual([1, 2, 4]);
    expect(errors).toHaveLength(1);
    expect(String(errors[0].error)).toMatch(/three is not allowed/);
    expect(workers[0].durableTaskCounts).toEqual({ done: 3, failed: 2 });
  });

  test("a task over its policy's timeout fails with a TimeoutError once its retries are used up", async () => {
    const { out, errors } = await runWithPolicy('timeout', slowInc, { timeout: 2, retries: 1 }, [1]);
    expect(out).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(String(errors[0].error)).toMatch(/TimeoutError: the task ran longer than its timeout of 2 ms/);
    expect(workers[0].durableTaskCounts).toEqual({ done: 0, failed: 2 });
  });

  test('client.close() waits for stored elements to be delivered', async () => {
    const prefix = freshPrefix();
    const c = await client(prefix);
    const source = new Stream<number>();
    const out = source.scatter({ client: c, durable: 'closing' }).map(inc).buffer(4).gather().sinkToList();
    for (const x of [1, 2, 3]) await source.emit(x);
    const closed = c.close({ timeout: 20_000 });
    await worker(prefix);
    await closed;
    expect(out).toEqual([2, 3, 4]);
  });

  test('workers run stored tasks while no client runs; the next client with the same pipeline delivers them, in order, before new ones', async () => {
    const prefix = freshPrefix();
    const first = await client(prefix);
    const firstSource = new Stream<number>();
    firstSource.scatter({ client: first, durable: 'handover' }).map(inc).buffer(4).gather().sinkToList();
    for (const x of [10, 20, 30]) await firstSource.emit(x);
    await expect(first.close({ timeout: 50 })).rejects.toThrow(CloseTimeoutError);
    const names = durableNames(first.subjects, 'handover');
    await worker(prefix);
    await waitFor(() => workers[0].durableTaskCounts?.done === 3, 10_000, 'the tasks run with no client');

    const second = await client(prefix);
    const source = new Stream<number>();
    const gathered = source.scatter({ client: second, durable: 'handover' }).map(inc).buffer(4).gather();
    const out = gathered.sinkToList();
    await source.drain();
    expect(out).toEqual([11, 21, 31]);
    expect((gathered as unknown as DurableGatherNode<number>).segment.recovered).toBe(3);
    const model = new InspectionModel({ pipelines: [source] });
    const gatherView = model.sample().graph.nodes.find((node) => node.kind === 'gather');
    model.close();
    expect(gatherView?.durable).toMatchObject({ name: 'handover', recovered: 3, stored: 0, repeats: 0 });
    await source.emit(40);
    await source.drain();
    expect(out).toEqual([11, 21, 31, 41]);
    await waitFor(() => (gathered as unknown as DurableGatherNode<number>).segment.unconfirmedResults === 0, 5_000, 'confirmations');
    expect(await storedCount(bus.connection, names.taskStream)).toBe(0);
  });

  test('durable is refused on a client that is not a NATS client, naming the option', () => {
    const embedded = new Client();
    clients.push(embedded);
    expect(() => new Stream<number>().scatter({ client: embedded, durable: 'x' })).toThrow(ArgumentRangeError);
    expect(() => new Stream<number>().scatter({ client: embedded, durable: 'x' })).toThrow(/durable/);
  });

  test('durable is refused on a client with a cluster secret (stored tasks are not sealed with it)', async () => {
    const sealed = new Client({ servers: server.url, prefix: freshPrefix(), secret: 'a-secret-of-at-least-16-bytes' });
    clients.push(sealed);
    expect(() => new Stream<number>().scatter({ client: sealed, durable: 'x' })).toThrow(ArgumentRangeError);
  });

  test('durable on a server without JetStream fails the emits with a DurableSegmentError naming the option', async () => {
    const plain = await NatsServer.start();
    try {
      const c = await client(freshPrefix(), plain.url);
      const source = new Stream<number>();
      const gathered = source.scatter({ client: c, durable: 'nojs' }).map(inc).gather();
      gathered.errors.sinkToList();
      const emitted = source.emit(1);
      await expect(emitted).rejects.toThrow(DurableSegmentError);
      await expect(emitted).rejects.toThrow(/scatter\(\{ durable: 'nojs' \}\).*JetStream/);
    } finally {
      await Promise.all(clients.splice(0).map((started) => started.close({ timeout: 1_000 }).catch(() => {})));
      await plain.stop();
    }
  });

  test('a worker stores the results of tasks it finished together in one message; each message goes once its results are confirmed', async () => {
    const prefix = freshPrefix();
    const c = await client(prefix);
    const source = new Stream<number>();
    const gathered = source.scatter({ client: c, durable: 'batched' }).map(inc).buffer(64).gather();
    const out = gathered.sinkToList();
    await Promise.all(Array.from({ length: 60 }, (_, i) => source.emit(i)));
    await worker(prefix);
    await source.drain();
    expect(out).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const segment = (gathered as unknown as DurableGatherNode<number>).segment;
    expect(segment.resultsReceived).toBe(60);
    expect(segment.resultMessages).toBeLessThan(60);
    await waitFor(() => segment.unconfirmedResults === 0, 5_000, 'confirmations');
    const names = durableNames(c.subjects, 'batched');
    await resultStreamEmpties(names);
  });

  async function resultStreamEmpties(names: DurableNames): Promise<void> {
    let stored = -1;
    await waitFor(() => stored === 0, 5_000, 'result messages acknowledged', async () => {
      stored = await storedCount(bus.connection, names.resultStream);
    });
  }

  /** Stores tasks for `values` (sequences 1, 2, …) with no worker running; the segment's names. */
  async function storeTasks(prefix: string, durable: string, values: number[]): Promise<DurableNames> {
    const first = await client(prefix);
    const source = new Stream<number>();
    source.scatter({ client: first, durable }).map(inc).buffer(8).gather().sinkToList();
    for (const x of values) await source.emit(x);
    await expect(first.close({ timeout: 50 })).rejects.toThrow(CloseTimeoutError);
    return durableNames(first.subjects, durable);
  }

  /** Stores one result message, as a worker does, for tasks `seqs` of `values` run by `attempt`. */
  async function storeResults(names: DurableNames, values: number[], seqs: number[], attempt: number): Promise<void> {
    const results = seqs.map((seq) => ({ seq, attempt, ok: true, values: [values[seq - 1] + 1], task: 'inc', ms: 0 }));
    await jetstream(bus.connection).publish(names.resultSubject, new Codec().encode({ v: PROTOCOL_VERSION, worker: 'w', results }), { msgID: `${names.taskStream}.${seqs.join(',')}` });
  }

  test('results stored twice in different batches (a worker died between storing and acknowledging) come out once each; both messages go', async () => {
    const prefix = freshPrefix();
    const values = [10, 20, 30, 40];
    const names = await storeTasks(prefix, 'twice', values);
    await storeResults(names, values, [1, 2, 3], 0);
    await storeResults(names, values, [2, 3, 4], 1);
    const c = await client(prefix);
    const source = new Stream<number>();
    const gathered = source.scatter({ client: c, durable: 'twice' }).map(inc).buffer(8).gather();
    const out = gathered.sinkToList();
    await source.drain();
    expect(out).toEqual([11, 21, 31, 41]);
    const segment = (gathered as unknown as DurableGatherNode<number>).segment;
    expect(segment.duplicates).toBe(2);
    await resultStreamEmpties(names);
  });

  test('after a run died holding a result message, the copy from the next attempt is delivered marked as a possible repeat', async () => {
    const prefix = freshPrefix();
    const values = [10, 20, 30];
    const names = await storeTasks(prefix, 'deadrun', values);
    await storeResults(names, values, [1, 2, 3], 0);
    const gatherConsumer = await jetstream(bus.connection).consumers.get(names.resultStream, GATHER_CONSUMER);
    const takenByDeadRun = [];
    for await (const msg of await gatherConsumer.fetch({ max_messages: 1, expires: 5_000 })) takenByDeadRun.push(msg);
    expect(takenByDeadRun).toHaveLength(1);
    // The next attempts, finished at other times: other batches (the same batch would be stored once).
    await storeResults(names, values, [1, 2], 1);
    await storeResults(names, values, [3], 1);
    const c = await client(prefix);
    const source = new Stream<number>();
    const gathered = source.scatter({ client: c, durable: 'deadrun' }).map(inc).buffer(8).gather();
    const delivered: Array<[unknown, boolean | undefined]> = [];
    gathered.sink((x) => void delivered.push([x, durableDelivery(gathered)?.repeat]));
    await source.drain();
    expect(delivered).toEqual([
      [11, true],
      [21, true],
      [31, true],
    ]);
  });

  test('a result stored after its task blocked the worker past its lease is marked late, and the next run delivers it as a possible repeat', async () => {
    const prefix = freshPrefix();
    const first = await client(prefix);
    const firstSource = new Stream<number>();
    firstSource.scatter({ client: first, durable: 'late', ackWait: 300 }).map(whereSpun).buffer(1).gather().sinkToList();
    await firstSource.emit(450);
    await expect(first.close({ timeout: 50 })).rejects.toThrow(CloseTimeoutError);
    await worker(prefix);
    await waitFor(() => (workers[0].durableTaskCounts?.done ?? 0) >= 1, 10_000, 'the blocking task stored');

    const second = await client(prefix);
    const source = new Stream<number>();
    const gathered = source.scatter({ client: second, durable: 'late', ackWait: 300 }).map(whereSpun).buffer(1).gather();
    const repeats: boolean[] = [];
    gathered.sink(() => void repeats.push(durableDelivery(gathered)?.repeat === true));
    await source.drain();
    expect(repeats).toEqual([true]);
  });
});
