import { Client, PipelineError, Stream, UnregisteredTaskError } from '../../src';
import type { GatherNode } from '../../src/distributed/gather-node';
import type { Message } from '../../src/transport/bus';
import type { TaskBatch } from '../../src/transport/protocol';
import { waitFor } from '../support/wait-for';
import { add3, double, failOnThree, inc, incAll, isEven, random, range, reverseSlow, slowInc, sum, sumTwice, whereSpun, withX } from './fixtures/tasks';
import { embedded, nats, threads, type Deployment } from './support/deployments';

const deployments: Deployment[] = [embedded(), threads(), nats()];

async function emitAll<T>(source: Stream<T>, items: readonly T[]): Promise<void> {
  for (const item of items) await source.emit(item);
  await source.drain();
}

describe.each(deployments)('$name deployment', (deployment) => {
  let client: Client;
  beforeAll(async () => {
    client = await deployment.start();
  }, 30_000);
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
    const start = Date.now();
    for (let i = 0; i < 4; i++) await source.emit(i);
    expect(Date.now() - start).toBeLessThan(20);
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
    const subscription = bus.subscribe(`${client.subjects.prefix}.tasks.>`, (message: Message) => batches.push(message.data as TaskBatch));
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
    const { dispatcher } = gathered as GatherNode<number>;
    let emitted = 0;
    for (let i = 0; i < 12; i++) {
      const pending = source.emit(i);
      emitted++;
      expect(dispatcher.tasksInFlight).toBeLessThanOrEqual(3);
      await pending;
    }
    await source.drain();
    expect(emitted).toBe(12);
    expect(out).toHaveLength(12);
    expect(dispatcher.peakInFlight).toBe(3);
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

  if (deployment.workers > 1) {
    test('two workers of concurrency 1 both run CPU-bound tasks', async () => {
      const source = new Stream<number>();
      const out = source.scatter({ client }).map(whereSpun).buffer(4).gather().sinkToList();
      const start = Date.now();
      await emitAll(source, [100, 100, 100, 100]);
      expect(new Set(out).size).toBe(2);
      expect(Date.now() - start).toBeLessThan(380);
    });
  }
});
