import { ArgumentRangeError, ArgumentTypeError, Client, PipelineError, Stream, UnregisteredTaskError } from '../../src';
import type { GatherNode } from '../../src/distributed/gather-node';
import type { Message } from '../../src/transport/bus';
import type { TaskBatch } from '../../src/distributed/protocol';
import { useTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';
import { add, add3, double, failOnThree, flaky, inc, incAll, isEven, random, range, reverseSlow, slowFirst, slowInc, sum, sumTwice, whereSpun, withX, type Attempted } from './fixtures/tasks';
import { embedded, nats, threads, type Deployment } from './support/deployments';

const deployments: Deployment[] = [embedded(), threads(), nats()];

async function emitAll<T>(source: Stream<T>, items: readonly T[]): Promise<void> {
  for (const item of items) await source.emit(item);
  await source.drain();
}

describe.each(deployments)('$name deployment', (deployment) => {
  let client: Client;
  const tempDir = useTempDir();
  const attempted = (ids: readonly number[], n: number): Attempted[] => ids.map((id) => ({ dir: tempDir(), id, n }));
  beforeAll(async () => {
    client = await deployment.start();
  }, 60_000);
  afterAll(async () => {
    await deployment.stop();
  }, 30_000);

  test('map', async () => {
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(inc).gather().sinkToList();
    await emitAll(source, [0, 1, 2, 3, 4]);
    expect(out).toEqual([1, 2, 3, 4, 5]);
  });

  test('map on objects', async () => {
    const source = new Stream<{ i: number; x?: number }>();
    const out = source.scatter({ client }).map(withX).gather().sinkToList();
    await emitAll(source, [0, 1, 2, 3, 4].map((i) => ({ i })));
    expect(out).toEqual([0, 1, 2, 3, 4].map((i) => ({ i, x: i })));
  });

  test('partition then scatter', async () => {
    const source = new Stream<number>();
    const out = source.partition(2, { timeout: 50 }).scatter({ client }).map(incAll).buffer(2).gather().flatten().sinkToList();
    for (const i of [0, 1, 2]) await source.emit(i);
    await waitFor(() => out.length === 3, 5000, 'the partial partition');
    expect(out).toEqual([1, 2, 3]);
  });

  test('non-unique emits each get their own task', async () => {
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(random).gather().sinkToList();
    await emitAll(source, [0, 0, 0]);
    expect(out).toHaveLength(3);
    expect(new Set(out).size).toBeGreaterThan(1);
  });

  test('scan', async () => {
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(inc).scan(sum).gather().sinkToList();
    await emitAll(source, [0, 1, 2, 3, 4]);
    expect(out).toEqual([1, 3, 6, 10, 15]);
  });

  test('scan with state', async () => {
    const source = new Stream<number>();
    const out = source.scatter({ client }).scan(sumTwice, { returnsState: true }).gather().sinkToList();
    await emitAll(source, [0, 1, 2]);
    expect(out).toEqual([0, 1, 3]);
  });

  test('accumulate with state, start and buffer keeps element order', async () => {
    const source = new Stream<number>();
    const out = source.scatter({ client }).accumulate(sum, { start: 10, withState: true }).buffer(4).gather().sinkToList();
    await emitAll(source, [0, 1, 2]);
    expect(out).toEqual([
      [10, 10],
      [11, 11],
      [13, 13],
    ]);
  });

  test('zip of two scattered streams', async () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const out = a.scatter({ client }).map(inc).zip(b.scatter({ client })).gather().sinkToList();
    await a.emit(1);
    await b.emit('a');
    await a.emit(2);
    await b.emit('b');
    await a.drain();
    expect(out).toEqual([
      [2, 'a'],
      [3, 'b'],
    ]);
  });

  test('starmap', async () => {
    const source = new Stream<[number, number]>();
    const out = source.scatter({ client }).starmap(add3, 10).gather().sinkToList();
    await emitAll(source, [0, 1, 2, 3, 4].map((i): [number, number] => [i, i]));
    expect(out).toEqual([10, 12, 14, 16, 18]);
  });

  test('filter, flatten and pluck run on workers', async () => {
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(range).flatten().filter(isEven).map(double).gather().sinkToList();
    const picked = new Stream<{ a: number }>();
    const plucked = picked.scatter({ client }).pluck('a').gather().sinkToList();
    await emitAll(source, [3, 4]);
    await emitAll(picked, [{ a: 1 }, { a: 2 }]);
    expect(out).toEqual([0, 4, 0, 4]);
    expect(plucked).toEqual([1, 2]);
  });

  test('buffer lets emits run ahead while tasks run', async () => {
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(slowInc).buffer(5).gather().sinkToList();
    for (let i = 0; i < 4; i++) expect(source.emit(i)).toBeUndefined();
    expect(out).toEqual([]);
    for (let i = 4; i < 10; i++) await source.emit(i);
    await source.drain();
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test('results come back in emission order unless ordered is false', async () => {
    const source = new Stream<number>();
    const ordered = source.scatter({ client }).map(reverseSlow).buffer(10).gather().sinkToList();
    const asCompleted = source.scatter({ client }).map(reverseSlow).buffer(10).gather({ ordered: false }).sinkToList();
    await emitAll(source, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ordered).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...asCompleted].sort((x, y) => x - y)).toEqual(ordered);
  });

  test('consecutive operators fuse into one task per element', async () => {
    const bus = client.taskBus;
    if (bus === undefined) throw new Error('client not connected');
    const batches: TaskBatch[] = [];
    const subscription = bus.subscribe(client.subjects.tasks, (message: Message) => batches.push(message.data as TaskBatch));
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(inc).map(double).filter(isEven).gather().sinkToList();
    await emitAll(source, [0, 1, 2, 3, 4]);
    subscription.unsubscribe();
    expect(out).toEqual([2, 4, 6, 8, 10]);
    expect(batches.flatMap((batch) => batch.tasks)).toHaveLength(5);
    expect(batches.every((batch) => batch.chain.map((step) => step.op).join() === 'map,map,filter')).toBe(true);
  });

  test('tasks in flight never exceed the credits', async () => {
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(slowInc).buffer(3).gather();
    const out = gathered.sinkToList();
    const { segment } = gathered as GatherNode<number>;
    let emitted = 0;
    for (let i = 0; i < 12; i++) {
      const pending = source.emit(i);
      emitted++;
      expect(segment.tasksInFlight).toBeLessThanOrEqual(3);
      await pending;
    }
    await source.drain();
    expect(emitted).toBe(12);
    expect(out).toHaveLength(12);
    expect(segment.peakInFlight).toBe(3);
  });

  test('a failing task rejects the waiting emit with task, sequence, element and cause', async () => {
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(failOnThree).gather().sinkToList();
    for (let i = 0; i < 3; i++) await source.emit(i);
    const failure = await Promise.resolve(source.emit(3)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(PipelineError);
    expect(failure).toMatchObject({ task: 'failOnThree', seq: 3, element: 3 });
    expect((failure as PipelineError).message).toContain('three is not allowed');
    await emitAll(source, [4, 5]);
    expect(out).toEqual([0, 1, 2, 4, 5]);
  });

  test('a failure whose emit already returned goes to errors', async () => {
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(failOnThree).buffer(8).gather();
    const out = gathered.sinkToList();
    const errors = gathered.errors.sinkToList();
    await emitAll(source, [0, 1, 2, 3, 4, 5]);
    expect(out).toEqual([0, 1, 2, 4, 5]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ task: 'failOnThree', seq: 3, element: 3 });
  });

  test('a task failing its first attempts succeeds with retries; without a policy it fails at once', async () => {
    const source = new Stream<Attempted>();
    const retried = source.scatter({ client }).map(flaky, { retries: 2, backoff: 20 }).buffer(4).gather();
    const out = retried.sinkToList();
    const errors = retried.errors.sinkToList();
    const start = Date.now();
    await emitAll(source, attempted([0, 1, 2, 3, 4, 5], 2));
    expect(out).toEqual([0, 1, 2, 3, 4, 5]);
    expect(errors).toEqual([]);
    expect(Date.now() - start).toBeGreaterThanOrEqual(20 + 40);

    const once = new Stream<Attempted>();
    const failing = once.scatter({ client }).map(flaky).buffer(4).gather();
    const failures = failing.errors.sinkToList();
    const delivered = failing.sinkToList();
    await emitAll(once, attempted([10, 11], 1));
    await emitAll(once, attempted([10, 11], 1));
    expect(delivered).toEqual([10, 11]);
    expect(failures.map((error) => (error as PipelineError).element)).toEqual(attempted([10, 11], 1));
  });

  test('a poison element fails once after its retries and never blocks the elements after it', async () => {
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(failOnThree, { retries: 2 }).buffer(4).gather();
    const out = gathered.sinkToList();
    const errors = gathered.errors.sinkToList();
    await emitAll(source, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(out).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(PipelineError);
    expect(errors[0]).toMatchObject({ task: 'failOnThree', seq: 3, element: 3 });
  });

  test('an attempt running past its timeout fails; a retry succeeds and the late result never counts', async () => {
    const source = new Stream<Attempted>();
    const gathered = source.scatter({ client }).map(slowFirst, { timeout: 100, retries: 1 }).buffer(4).gather();
    const out = gathered.sinkToList();
    const start = Date.now();
    await emitAll(source, attempted([0, 1], 3000));
    expect(out).toEqual([0, 1]);
    expect(Date.now() - start).toBeLessThan(3000);

    const once = new Stream<Attempted>();
    const timedOut = once.scatter({ client }).map(slowFirst, { timeout: 50 }).gather() as GatherNode<number>;
    const failure = await Promise.resolve(once.emit({ dir: tempDir(), id: 7, n: 1500 })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ task: 'slowFirst', seq: 0, element: { id: 7 } });
    expect((failure as PipelineError).error).toMatchObject({ name: 'TimeoutError' });
    expect(timedOut.segment.duplicates + (gathered as GatherNode<number>).segment.duplicates).toBe(0);
  });

  test('a policy is validated and extra arguments still reach the task', async () => {
    const scattered = new Stream<number>().scatter({ client });
    expect(() => scattered.map(inc, { retries: -1 })).toThrow(ArgumentRangeError);
    expect(() => scattered.map(inc, { retries: -1 })).toThrow(/retries/);
    expect(() => scattered.map(inc, { retries: 1.5 })).toThrow(/retries/);
    expect(() => scattered.map(inc, { backoff: -5 })).toThrow(/backoff/);
    expect(() => scattered.map(inc, { timeout: 0 })).toThrow(/timeout/);
    expect(() => scattered.map(inc, { timeout: 'soon' as unknown as number })).toThrow(ArgumentTypeError);
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(add, 10, { retries: 1 }).gather().sinkToList();
    await emitAll(source, [1, 2]);
    expect(out).toEqual([11, 12]);
  });

  test('drain resolves once every task was gathered and delivered', async () => {
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(slowInc).buffer(8).gather().sinkToList();
    for (let i = 0; i < 6; i++) await source.emit(i);
    expect(out.length).toBeLessThan(6);
    await source.drain();
    expect(out).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('an unregistered function fails when the pipeline is built, unless embedded', async () => {
    const source = new Stream<number>();
    const triple = (x: number): number => 3 * x;
    if (deployment.name === 'embedded') {
      const out = source.scatter({ client }).map(triple).gather().sinkToList();
      await emitAll(source, [1, 2]);
      expect(out).toEqual([3, 6]);
      return;
    }
    expect(() => source.scatter({ client }).map(triple)).toThrow(UnregisteredTaskError);
    expect(() => source.scatter({ client }).map(triple)).toThrow("export const triple = task('triple', triple)");
  });

  test('lists its workers with capacity and counters', () => {
    const workers = client.workers();
    expect(workers).toHaveLength(deployment.workers);
    for (const worker of workers) {
      expect(worker).toMatchObject({ id: expect.any(String), capacity: expect.any(Number), inFlight: expect.any(Number), done: expect.any(Number), failed: expect.any(Number) });
      expect(Date.now() - worker.lastHeartbeat).toBeLessThan(5000);
    }
  });

  if (deployment.name === 'threads') {
    test('a terminated thread: its tasks are sent again, all 500 results arrive once and in order, a new thread takes its place', async () => {
      const logged = jest.spyOn(console, 'error').mockImplementation(() => {});
      const source = new Stream<number>();
      const out = source.scatter({ client }).map(slowInc).buffer(16).gather().sinkToList();
      const cluster = client.localCluster;
      if (cluster === undefined) throw new Error('no local cluster');
      const victim = client.workers()[0].id;
      const emitting = (async () => {
        for (let i = 0; i < 500; i++) await source.emit(i);
      })();
      await waitFor(() => out.length >= 50, 10_000, '50 results');
      await cluster.thread(victim)?.terminate();
      await emitting;
      await source.drain();
      expect(out).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
      expect(cluster.replaced).toBe(1);
      expect(logged).toHaveBeenCalledWith(expect.stringContaining(`worker thread ${victim} exited unexpectedly`));
      logged.mockRestore();
      await waitFor(() => client.workers().length === 2, 10_000, 'the replacement thread');
      expect(client.workers().map((worker) => worker.id)).not.toContain(victim);
    }, 30_000);
  }

  if (deployment.workers > 1) {
    test('two workers of concurrency 1 both run CPU-bound tasks', async () => {
      // The earlier tests' pipelines count in the pool's fair share until the workers' next heartbeat.
      await waitFor(() => client.workers().every((worker) => worker.pipelines === 0), 10_000, 'heartbeats without the earlier pipelines');
      const source = new Stream<number>();
      const out = source.scatter({ client }).map(whereSpun).buffer(4).gather().sinkToList();
      await emitAll(source, [100, 100, 100, 100]);
      expect(new Set(out.map((spin) => spin.where)).size).toBe(2);
      // Wall-clock bounds fail on a loaded machine; spins on two workers that overlap in time do not.
      const overlapping = out.some((a) => out.some((b) => a.where !== b.where && a.start < b.end && b.start < a.end));
      expect({ overlapping, out }).toMatchObject({ overlapping: true });
    });
  }
});
