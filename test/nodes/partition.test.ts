import { ArgumentRangeError, ArgumentTypeError, PipelineError, Stream, type Scheduler } from '../../src';
import { MissingKeyError } from '../../src/nodes/support/key-selector';
import { asyncSinkToList } from '../support/async-sink-to-list';
import { isPending } from '../support/is-pending';
import { trackSettled } from '../support/track-settled';

function emitAll<T>(source: Stream<T>, xs: Iterable<T>): void {
  for (const x of xs) source.emit(x);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

describe('partition', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  test('test_partition: partition(2) on 0..9', () => {
    const source = new Stream<number>();
    const out = source.partition(2).sinkToList();
    emitAll(source, range(10));
    expect(out).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
      [8, 9],
    ]);
  });

  test('partition(3) on 0..9 keeps the partial group back', () => {
    const source = new Stream<number>();
    const out = source.partition(3).sinkToList();
    emitAll(source, range(10));
    expect(out).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ]);
  });

  test('partition with key: partition(2, { key: x => x % 3 }) on 0..9', () => {
    const source = new Stream<number>();
    const out = source.partition(2, { key: (x) => x % 3 }).sinkToList();
    emitAll(source, range(10));
    expect(out).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
      [6, 9],
    ]);
  });

  test('test_partition_key: key 0 reads index 0 of each element', () => {
    const source = new Stream<[number, number]>();
    const out = source.partition(2, { key: 0 }).sinkToList();
    emitAll(source, range(4).map((i): [number, number] => [i % 2, i]));
    expect(out).toEqual([
      [
        [0, 0],
        [0, 2],
      ],
      [
        [1, 1],
        [1, 3],
      ],
    ]);
  });

  test('test_partition_key_callable: key x % 2 on 0..9 (8 and 9 still pending)', () => {
    const source = new Stream<number>();
    const out = source.partition(2, { key: (x) => x % 2 }).sinkToList();
    emitAll(source, range(10));
    expect(out).toEqual([
      [0, 2],
      [1, 3],
      [4, 6],
      [5, 7],
    ]);
  });

  test('an element without the key property throws a MissingKeyError from emit', () => {
    const source = new Stream<{ id?: number }>();
    source.partition(2, { key: 'id' }).sinkToList();
    expect(() => source.emit({})).toThrow(MissingKeyError);
  });

  test('test_partition_timeout: partition(10, { timeout: 10 }) flushes 0..4 after the timeout', () => {
    jest.useFakeTimers();
    const source = new Stream<number>();
    const out = source.partition(10, { timeout: 10 }).sinkToList();
    emitAll(source, range(5));
    jest.advanceTimersByTime(9);
    expect(out).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(out).toEqual([[0, 1, 2, 3, 4]]);
  });

  test('test_partition_timeout_cancel: a full group cancels its timer; the next group times from its first element', () => {
    jest.useFakeTimers();
    const source = new Stream<number>();
    const out = source.partition(3, { timeout: 100 }).sinkToList();
    emitAll(source, [0, 1, 2]);
    jest.advanceTimersByTime(90);
    source.emit(3);
    jest.advanceTimersByTime(20);
    expect(out).toEqual([[0, 1, 2]]);
    jest.advanceTimersByTime(90);
    expect(out).toEqual([[0, 1, 2], [3]]);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('partition(3, { timeout }) on 0..3: (0,1,2) at once, (3) after the timeout', () => {
    jest.useFakeTimers();
    const source = new Stream<number>();
    const out = source.partition(3, { timeout: 50 }).sinkToList();
    emitAll(source, range(4));
    expect(out).toEqual([[0, 1, 2]]);
    jest.advanceTimersByTime(50);
    expect(out).toEqual([[0, 1, 2], [3]]);
  });

  test('timeout with key: 0,2,1,4 by x % 2 emits (0,2) at once, then (1) and (4) after the timeout', () => {
    jest.useFakeTimers();
    const source = new Stream<number>();
    const out = source.partition(2, { timeout: 50, key: (x) => x % 2 }).sinkToList();
    emitAll(source, [0, 2, 1, 4]);
    expect(out).toEqual([[0, 2]]);
    jest.advanceTimersByTime(50);
    expect(out).toEqual([[0, 2], [1], [4]]);
  });

  test('keyed groups time out independently, each from its own first element', () => {
    jest.useFakeTimers();
    const source = new Stream<string>();
    const out = source.partition(3, { timeout: 100, key: 'length' }).sinkToList();
    source.emit('a');
    jest.advanceTimersByTime(60);
    source.emit('bb');
    source.emit('c');
    jest.advanceTimersByTime(40);
    expect(out).toEqual([['a', 'c']]);
    source.emit('d');
    jest.advanceTimersByTime(60);
    expect(out).toEqual([['a', 'c'], ['bb']]);
    jest.advanceTimersByTime(40);
    expect(out).toEqual([['a', 'c'], ['bb'], ['d']]);
  });

  test('drain() waits for every keyed group with a pending timeout', async () => {
    jest.useFakeTimers();
    const source = new Stream<number>();
    const out = source.partition(5, { timeout: 30, key: (x) => x % 2 }).sinkToList();
    source.emit(1);
    await jest.advanceTimersByTimeAsync(20);
    source.emit(2);
    const draining = source.drain();
    await jest.advanceTimersByTimeAsync(10);
    expect(out).toEqual([[1]]);
    await jest.advanceTimersByTimeAsync(20);
    await draining;
    expect(out).toEqual([[1], [2]]);
  });

  test('test_partition_size_one: partition(1, { timeout }) emits every element and starts no timer', () => {
    jest.useFakeTimers();
    const source = new Stream<number>();
    const out = source.partition(1, { timeout: 10 }).sinkToList();
    emitAll(source, range(10));
    expect(out).toEqual(range(10).map((i) => [i]));
    expect(jest.getTimerCount()).toBe(0);
  });

  test('back pressure: the emit that fills a group returns the downstream promise', async () => {
    const source = new Stream<number>();
    const written = asyncSinkToList(source.partition(2));
    expect(source.emit(0)).toBeUndefined();
    const pending = source.emit(1);
    expect(pending).toBeInstanceOf(Promise);
    expect(written).toEqual([]);
    await pending;
    expect(written).toEqual([[0, 1]]);
  });

  test('a partial group with a pending timeout is held: the node is paused and drain() waits for the flush', async () => {
    jest.useFakeTimers();
    const source = new Stream<number>();
    const node = source.partition(3, { timeout: 100 });
    const out = node.sinkToList();
    source.emit(0);
    expect(node.state).toBe('paused');
    const draining = trackSettled(source.drain());
    await jest.advanceTimersByTimeAsync(99);
    expect(draining.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await draining.done;
    expect(out).toEqual([[0]]);
    await jest.advanceTimersByTimeAsync(1);
    expect(node.state).toBe('running');
  });

  test('drain() also waits for an async downstream of a timed-out group', async () => {
    jest.useFakeTimers();
    const source = new Stream<number>();
    const written: number[][] = [];
    source.partition(3, { timeout: 10 }).sink(async (group) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      written.push(group);
    });
    source.emit(7);
    const draining = source.drain();
    await jest.advanceTimersByTimeAsync(60);
    await draining;
    expect(written).toEqual([[7]]);
  });

  test('partial groups without a timeout are not held', async () => {
    const source = new Stream<number>();
    source.partition(3).sinkToList();
    source.emit(0);
    expect(await isPending(source.drain())).toBe(false);
  });

  test('a failure downstream of a timed-out flush goes to errors and later groups still flow', async () => {
    jest.useFakeTimers();
    const source = new Stream<number>();
    const node = source.partition(2, { timeout: 10 });
    const seen: number[][] = [];
    node.sink((group) => {
      if (group.length < 2) throw new Error('short group');
      seen.push(group);
    });
    const failures = node.errors.sinkToList();
    source.emit(1);
    jest.advanceTimersByTime(10);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(PipelineError);
    expect(failures[0].element).toEqual([1]);
    expect(failures[0].message).toContain('short group');
    emitAll(source, [2, 3]);
    expect(seen).toEqual([[2, 3]]);
    source.emit(4);
    const rejecting = new Stream<number>();
    const rejected = rejecting.partition(2, { timeout: 10 });
    rejected.sink(async () => {
      throw new Error('async failure');
    });
    const asyncFailures = rejected.errors.sinkToList();
    rejecting.emit(1);
    await jest.advanceTimersByTimeAsync(10);
    expect(asyncFailures.map((failure) => failure.message)).toEqual([expect.stringContaining('async failure')]);
  });

  test('uses an injected scheduler', () => {
    const callbacks: Array<() => void> = [];
    const scheduler: Scheduler = {
      now: () => 0,
      setTimeout: (callback, ms) => {
        expect(ms).toBe(250);
        callbacks.push(callback);
        return callbacks.length;
      },
      clearTimeout: () => undefined,
    };
    const source = new Stream<string>();
    const out = source.partition(5, { timeout: 250, scheduler }).sinkToList();
    emitAll(source, ['a', 'b']);
    expect(callbacks).toHaveLength(1);
    callbacks[0]();
    expect(out).toEqual([['a', 'b']]);
  });

  test('test_partition_str', () => {
    expect(String(new Stream().partition(2))).toBe('<partition: 2>');
  });

  test('bad arguments throw errors naming the argument, leaving the upstream untouched', () => {
    const source = new Stream<number>();
    expect(() => source.partition(0)).toThrow(ArgumentRangeError);
    expect(() => source.partition(0)).toThrow('n must be an integer >= 1, got 0');
    expect(() => source.partition(1.5)).toThrow(ArgumentRangeError);
    expect(() => source.partition('2' as unknown as number)).toThrow(ArgumentTypeError);
    expect(() => source.partition(2, { timeout: -1 })).toThrow(/^timeout must be a finite number of milliseconds >= 0/);
    expect(() => source.partition(2, { key: {} as never })).toThrow(/^key must be a function, a property name or an index/);
    expect(() => source.partition(2, 'x' as never)).toThrow(/^options must be an object/);
    expect(source.downstreams).toEqual([]);
  });
});
