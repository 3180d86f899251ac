import { Client, Stream, observeActors, task } from '../../src';
import { PROTOCOL_VERSION, ProtocolError, readCapacityCredit, readCreditGrant, readHeartbeat, readResultBatch, readTaskBatch, type Heartbeat, type ResultBatch } from '../../src/distributed/protocol';
import type { GatherNode } from '../../src/distributed/gather-node';
import { Worker } from '../../src/distributed/worker/worker';
import { InProcessBus } from '../../src/transport/in-process-bus';
import { Subjects } from '../../src/distributed/subjects';
import { parseWorkerArgs } from '../../src/cli/worker';
import { sendToPool } from '../support/send-to-pool';
import { waitFor } from '../support/wait-for';
import { ManualScheduler } from '../support/manual-scheduler';
import { inc } from './fixtures/tasks';

const batch = { v: PROTOCOL_VERSION, pipeline: 'p', reply: 'r.p', chain: [{ op: 'map', task: 'inc' }], tasks: [{ seq: 0, attempt: 0, value: 1 }] };

/** Tasks of `gated` end when the test releases them, by value. */
const gates = new Map<number, () => void>();
task('gated', (x: number) => new Promise<number>((resolve) => gates.set(x, () => resolve(x))));

/** Tasks of `resultsSeenBefore` return how many results the test had received when they ran. */
let resultsSeen = (): number => 0;
task('resultsSeenBefore', () => resultsSeen());

function release(x: number): void {
  const open = gates.get(x);
  if (open === undefined) throw new Error(`gated task ${x} is not running`);
  gates.delete(x);
  open();
}

describe('distributed protocol', () => {
  test('reads well-formed messages and rejects malformed ones or other versions', () => {
    expect(readTaskBatch(batch)).toBe(batch);
    expect(() => readTaskBatch({ ...batch, v: 2 })).toThrow('unknown protocol version 2');
    expect(() => readTaskBatch({ ...batch, chain: [{ op: 'eval', task: 'x' }] })).toThrow(ProtocolError);
    expect(() => readTaskBatch({ ...batch, tasks: [{ seq: 'a' }] })).toThrow(ProtocolError);
    expect(() => readTaskBatch(null)).toThrow(ProtocolError);
    expect(readTaskBatch({ ...batch, timeout: 50 })).toMatchObject({ timeout: 50 });
    for (const timeout of [0, -1, 'soon', Infinity]) expect(() => readTaskBatch({ ...batch, timeout })).toThrow('malformed task batch: bad timeout');
    expect(() => readResultBatch({ v: PROTOCOL_VERSION, worker: 'w', results: [{ seq: 0, attempt: 0, ok: true }] })).toThrow(ProtocolError);
    const counted = { v: PROTOCOL_VERSION, worker: 'w', results: [], counts: { done: 3, failed: 0, inFlight: 1 } };
    expect(readResultBatch(counted)).toBe(counted);
    expect(() => readResultBatch({ ...counted, counts: { done: -1, failed: 0, inFlight: 0 } })).toThrow('malformed result batch');
    expect(() => readHeartbeat({ v: PROTOCOL_VERSION, id: 'w', pool: 'default', capacity: -1, inFlight: 0, done: 0, failed: 0, phase: 'ready', interval: 1 })).toThrow(ProtocolError);
    expect(() => readCreditGrant({ v: PROTOCOL_VERSION, credits: 1.5 })).toThrow(ProtocolError);
  });

  test('a worker refuses a task it does not have, never evaluating anything, and a garbage message is refused with its reason', async () => {
    const bus = new InProcessBus();
    const subjects = new Subjects();
    const worker = await new Worker({ bus, id: 'w1' }).start();
    const logged = jest.spyOn(console, 'error').mockImplementation(() => {});
    const results: unknown[] = [];
    bus.subscribe('r.p', (message) => results.push(message.data));
    const ack = await sendToPool(bus, subjects.tasks, { ...batch, chain: [{ op: 'map', task: 'notRegistered', fn: 'process.exit' }] });
    expect(ack).toEqual({ v: PROTOCOL_VERSION, worker: 'w1', refused: [0], reason: 'missing-task', detail: "worker w1 has no task 'notRegistered' (check its --tasks module)" });
    await sendToPool(bus, subjects.tasks, 'garbage');
    expect(worker.rejectedMessages).toBe(1);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('rivulet worker w1: refused a malformed message (malformed task batch: not an object)'));
    logged.mockRestore();
    await worker.drain();
    expect(results).toEqual([]);
    expect(worker.state).toBe('stopped');
    expect(inc(1)).toBe(2);
  });

  test('a worker fails an attempt that runs past the batch timeout, a synchronous one too, and never sends its late result', async () => {
    const bus = new InProcessBus();
    const subjects = new Subjects();
    const worker = await new Worker({ bus, id: 'w2', concurrency: 2 }).start();
    const results: ResultBatch[] = [];
    bus.subscribe('r.p', (message) => results.push(message.data as ResultBatch));
    const tasks = [
      { seq: 0, attempt: 0, value: 60 },
      { seq: 1, attempt: 0, value: 0 },
    ];
    await sendToPool(bus, subjects.tasks, { ...batch, chain: [{ op: 'map', task: 'whereSpun' }], timeout: 30, tasks });
    await sendToPool(bus, subjects.tasks, { ...batch, chain: [{ op: 'map', task: 'linger' }], timeout: 30, tasks: [{ seq: 2, attempt: 1, value: 5 }] });
    await waitFor(() => results.flatMap((batch) => batch.results).length === 3, 5000, 'three results');
    await worker.drain();
    const bySeq = new Map(results.flatMap((batch) => batch.results).map((result) => [result.seq, result]));
    expect(bySeq.get(0)).toMatchObject({ ok: false, task: 'whereSpun', error: { name: 'TimeoutError', message: 'the task ran longer than its timeout of 30 ms' } });
    expect(bySeq.get(1)).toMatchObject({ ok: true });
    expect(bySeq.get(2)).toMatchObject({ attempt: 1, ok: false, task: 'linger', error: { name: 'TimeoutError' } });
    expect(results.flatMap((batch) => batch.results)).toHaveLength(3);
  });

  test('heartbeats count the pipelines whose tasks a worker holds now or took since the last beat, not the finished ones', async () => {
    const bus = new InProcessBus();
    const subjects = new Subjects();
    const worker = await new Worker({ bus, id: 'w3', concurrency: 4, heartbeatInterval: 10 }).start();
    const beats: Heartbeat[] = [];
    bus.subscribe(subjects.heartbeat, (message) => beats.push(readHeartbeat(message.data)));
    const results: ResultBatch[] = [];
    bus.subscribe('r.p', (message) => results.push(message.data as ResultBatch));
    const lingering = { ...batch, chain: [{ op: 'map', task: 'linger' }] };
    await sendToPool(bus, subjects.tasks, { ...lingering, pipeline: 'a' });
    await sendToPool(bus, subjects.tasks, { ...lingering, pipeline: 'b' });
    await waitFor(() => results.flatMap((sent) => sent.results).length === 2, 5000, 'both results');
    // Every beat while the 300 ms tasks ran (10 ms apart) counts both, not only the one after they arrived.
    expect(beats.filter((beat) => beat.pipelines === 2).length).toBeGreaterThan(5);
    const seen = beats.length;
    await waitFor(() => beats.length > seen, 5000, 'a heartbeat after both finished');
    expect(beats[beats.length - 1].pipelines).toBe(0);
    await worker.drain();
  });

  test('a worker holds as many tasks beyond its running ones as it runs at once until it has measured tasks and round trips (then the prefetch adapts)', () => {
    const bus = new InProcessBus();
    expect(new Worker({ bus, concurrency: 3 })).toMatchObject({ prefetch: 3, room: 6 });
    expect(new Worker({ bus, concurrency: 3, prefetch: 0 })).toMatchObject({ prefetch: 0, room: 3 });
  });

  test('the results of finished tasks leave before the next queued task starts (a synchronous task does not hold them back), and the worker is idle after the last', async () => {
    const bus = new InProcessBus();
    const subjects = new Subjects();
    const worker = await new Worker({ bus, id: 'w-turns', concurrency: 1, prefetch: 1 }).start();
    const results: ResultBatch[] = [];
    bus.subscribe('r.p', (message) => results.push(message.data as ResultBatch));
    resultsSeen = () => results.flatMap((sent) => sent.results).length;
    const tasks = [0, 1].map((seq) => ({ seq, attempt: 0, value: seq }));
    await sendToPool(bus, subjects.tasks, { ...batch, chain: [{ op: 'map', task: 'resultsSeenBefore' }], tasks });
    await waitFor(() => resultsSeen() === 2, 5000, 'two results');
    await waitFor(() => worker.state === 'ready', 5000, 'the worker idle again once the last task ended');
    await worker.drain();
    expect(results.flatMap((sent) => sent.results).map((result) => (result.ok ? result.values : result.error))).toEqual([[0], [1]]);
  });

  test('a worker whose slots are all busy joins the queue group again only once half its room is free (its heartbeats meanwhile announce no room); with a slot idle it joins at once', async () => {
    const bus = new InProcessBus();
    const subjects = new Subjects();
    const beats: Heartbeat[] = [];
    bus.subscribe(subjects.heartbeat, (message) => beats.push(readHeartbeat(message.data)));
    const credits: number[] = [];
    const results: number[] = [];
    bus.subscribe(subjects.capacity, (message) => credits.push(readCapacityCredit(message.data).free));
    bus.subscribe('r.p', (message) => results.push(...readResultBatch(message.data).results.map((result) => result.seq)));
    const gatedBatch = (seqs: number[]): unknown => ({ ...batch, chain: [{ op: 'map', task: 'gated' }], tasks: seqs.map((seq) => ({ seq, attempt: 0, value: seq })) });
    const full = await new Worker({ bus, id: 'wfull', concurrency: 2, prefetch: 2, heartbeatInterval: 10 }).start();
    expect(credits).toEqual([4]);
    expect(await sendToPool(bus, subjects.tasks, gatedBatch([0, 1, 2, 3]))).toMatchObject({ refused: [] });
    await waitFor(() => gates.size === 2, 5000, 'two tasks running');
    release(0);
    await waitFor(() => results.includes(0) && gates.size === 2, 5000, 'task 0 done, task 2 running');
    expect(credits).toEqual([4]); // one place free of four, both slots busy: no membership for it
    const seen = beats.length;
    await waitFor(() => beats.length > seen, 5000, 'a heartbeat while it is no member');
    expect(beats[beats.length - 1]).toMatchObject({ free: 0, inFlight: 3 }); // nothing sent to the pool can reach it now
    release(1);
    await waitFor(() => credits.length === 2, 5000, 'a second membership');
    expect(credits).toEqual([4, 2]);
    for (const x of [2, 3]) await waitFor(() => gates.has(x), 5000, `task ${x} running`).then(() => release(x));
    await full.drain();

    const noPrefetch = await new Worker({ bus, id: 'wslot', concurrency: 2, prefetch: 0 }).start();
    credits.length = 0;
    await sendToPool(bus, subjects.tasks, gatedBatch([4, 5]));
    await waitFor(() => gates.size === 2, 5000, 'two tasks running');
    release(4);
    await waitFor(() => credits.length === 1, 5000, 'a membership for the idle slot');
    expect(credits).toEqual([1]);
    release(5);
    await noPrefetch.drain();
  });

  test('a worker whose prefetch shrank below what it holds (its tasks got longer) refuses a whole batch as busy, and its heartbeats stay well-formed (virtual clock)', async () => {
    const bus = new InProcessBus();
    const subjects = new Subjects();
    const clock = new ManualScheduler();
    const beats: unknown[] = [];
    bus.subscribe(subjects.heartbeat, (message) => beats.push(message.data));
    let credits = 0;
    bus.subscribe(subjects.capacity, () => credits++);
    const results: number[] = [];
    bus.subscribe('r.p', (message) => results.push(...readResultBatch(message.data).results.map((result) => result.seq)));
    const gatedBatch = (seqs: number[]): unknown => ({ ...batch, chain: [{ op: 'map', task: 'gated' }], tasks: seqs.map((seq) => ({ seq, attempt: 0, value: seq })) });
    const worker = await new Worker({ bus, id: 'w-shrink', concurrency: 1, heartbeatInterval: 10, scheduler: clock }).start();
    // Instant tasks, batches 10 ms after each join: the prefetch grows to its bound.
    for (const seq of [0, 1]) {
      const joined = credits;
      clock.advance(10);
      await sendToPool(bus, subjects.tasks, { ...batch, tasks: [{ seq, attempt: 0, value: seq }] });
      await waitFor(() => results.includes(seq) && credits > joined, 5000, `task ${seq} done and the worker a member again`);
    }
    expect(worker.prefetch).toBe(8);
    clock.advance(10);
    expect(await sendToPool(bus, subjects.tasks, gatedBatch([10, 11, 12, 13, 14, 15, 16, 17, 18]))).toMatchObject({ refused: [] });
    // Five of them take 100 ms each; then it holds four and joins again.
    const joined = credits;
    for (const x of [10, 11, 12, 13, 14]) {
      await waitFor(() => gates.has(x), 5000, `task ${x} running`);
      clock.advance(100);
      release(x);
    }
    await waitFor(() => credits > joined, 5000, 'the worker a member again');
    clock.advance(10);
    // The next batch's arrival adapts the prefetch to the long tasks: it holds more than its room now.
    expect(await sendToPool(bus, subjects.tasks, gatedBatch([20, 21, 22]))).toMatchObject({ refused: [20, 21, 22], reason: 'busy' });
    expect(worker.prefetch).toBe(1);
    const seen = beats.length;
    await waitFor(() => beats.length > seen, 5000, 'a heartbeat');
    expect(readHeartbeat(beats[beats.length - 1])).toMatchObject({ free: 0, prefetch: 1 });
    for (const x of [15, 16, 17, 18]) await waitFor(() => gates.has(x), 5000, `task ${x} running`).then(() => release(x));
    await worker.drain();
    expect(results.sort((a, b) => a - b)).toEqual([0, 1, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
  });

  test('rivulet worker arguments', () => {
    expect(parseWorkerArgs(['--servers', 'nats://h:1', '--tasks', 't.js', '--concurrency', '4', '--pool', 'gpu', '--prefix', 'x'], {})).toEqual({
      servers: ['nats://h:1'],
      tasks: ['t.js'],
      concurrency: 4,
      pool: 'gpu',
      prefix: 'x',
      heartbeatInterval: undefined,
      prefetch: undefined,
      secret: undefined,
      metricsPort: undefined,
      metricsHost: '127.0.0.1',
    });
    expect(parseWorkerArgs(['--servers', 'nats://h:1', '--tasks', 't.js', '--prefetch', '0'], {})).toMatchObject({ prefetch: 0 });
    expect(() => parseWorkerArgs(['--servers', 'nats://h:1', '--tasks', 't.js', '--prefetch=-1'], {})).toThrow('--prefetch must be an integer >= 0');
    expect(() => parseWorkerArgs(['--tasks', 't.js'], {})).toThrow('usage: rivulet worker');
  });

  test('scatter and gather actors show their states', async () => {
    const client = new Client();
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(inc).gather();
    const { segment } = gathered as GatherNode<number>;
    expect(segment.scatterState).toBe('dispatching');
    const pending = source.emit(1);
    expect(segment.scatterState).toBe('saturated');
    await pending;
    await new Promise(setImmediate);
    expect(segment.scatterState).toBe('dispatching');
    await client.close();
  });

  test('under steady saturation the scatter stays saturated instead of flipping once per result', async () => {
    const client = new Client();
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(inc).gather() as GatherNode<number>;
    const delivered = gathered.sinkToList();
    const { segment } = gathered;
    const scatterActor = segment['scatterActor'];
    const creditEvents: boolean[] = [];
    const stopObserving = observeActors((event) => {
      if (event.type === '@xstate.event' && event.actorRef === scatterActor && event.event.type === 'CREDITS') creditEvents.push(event.event.available as boolean);
    });
    for (let value = 0; value < 20; value++) await source.emit(value);
    expect(segment.scatterState).toBe('saturated');
    stopObserving();
    await waitFor(() => delivered.length === 20, 5000, 'every result');
    expect(delivered).toEqual(Array.from({ length: 20 }, (_, value) => value + 1));
    expect(creditEvents).toEqual([false]);
    await client.close();
  });

  test('gather stays collecting for an emit-and-wait producer instead of settling once per element', async () => {
    const client = new Client();
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(inc).gather() as GatherNode<number>;
    const delivered = gathered.sinkToList();
    const gatherEvents: string[] = [];
    const gatherActor = gathered.segment['gatherActor'];
    const stopObserving = observeActors((event) => {
      if (event.type === '@xstate.event' && event.actorRef === gatherActor) gatherEvents.push(event.event.type);
    });
    for (let value = 0; value < 20; value++) await source.emit(value);
    await source.drain();
    await waitFor(() => gathered.gatherState === 'idle', 5000, 'gather idle');
    stopObserving();
    expect(delivered).toEqual(Array.from({ length: 20 }, (_, value) => value + 1));
    expect(gatherEvents).toEqual(['OUTSTANDING', 'SETTLED']);
    await client.close();
  });
});
