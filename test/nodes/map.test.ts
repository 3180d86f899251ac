import { ArgumentTypeError, Stream } from '../../src';
import { isPending } from '../support/is-pending';

function inc(x: number): number {
  return x + 1;
}

function double(x: number): number {
  return 2 * x;
}

function add(x: number, y: number): number {
  return x + y;
}

describe('map', () => {
  test('test_basic: map(inc).scan(add) and map(double) on 0..3', () => {
    const source = new Stream<number>();
    const sums = source.map(inc).scan(add).sinkToList();
    const doubles = source.map(double).sinkToList();
    for (let i = 0; i < 4; i++) source.emit(i);
    expect(sums).toEqual([1, 3, 6, 10]);
    expect(doubles).toEqual([0, 2, 4, 6]);
  });

  test('test_no_output: emit on a stream without downstreams returns undefined', () => {
    expect(new Stream<number>().emit(1)).toBeUndefined();
  });

  test('test_map (y=10 passed as an extra argument) and test_map_args: map(add, 10) on 1 emits 11', () => {
    const source = new Stream<number>();
    const out = source.map(add, 10).sinkToList();
    source.emit(1);
    expect(out).toEqual([11]);
  });

  test('undefined and null results are emitted too', () => {
    const source = new Stream<number>();
    const out = source.map((x) => (x === 0 ? undefined : null)).sinkToList();
    source.emit(0);
    source.emit(1);
    expect(out).toEqual([undefined, null]);
  });

  test('test_map_errors_raises: a throwing fn throws from emit; later elements still flow', () => {
    const source = new Stream<number>();
    const out = source
      .map((x) => {
        if (x === 0) throw new RangeError('division by zero');
        return 1 / x;
      })
      .sinkToList();
    expect(() => source.emit(0)).toThrow(RangeError);
    source.emit(2);
    expect(out).toEqual([0.5]);
  });

  test('test_map_errors_log: a failure behind a buffer goes to errors, not to emit', async () => {
    const source = new Stream<number>();
    const mapped = source.buffer(1).map((x) => {
      if (x === 0) throw new RangeError('division by zero');
      return 1 / x;
    });
    const out = mapped.sinkToList();
    const failures = mapped.errors.sinkToList();
    await source.emit(0);
    await source.emit(4);
    await source.drain();
    expect(failures.map((failure) => failure.message)).toEqual([expect.stringContaining('RangeError: division by zero')]);
    expect(out).toEqual([0.25]);
  });

  test('test_execution_order: downstreams run in the order they were attached', () => {
    const source = new Stream<[number, string]>();
    const order: string[] = [];
    source.pluck(1).sink((x) => order.push(`b:${x}`));
    source.pluck(0).sink((x) => order.push(`a:${x}`));
    source.emit([1, 'red']);
    expect(order).toEqual(['b:red', 'a:1']);
  });

  test('an async fn: results are awaited, emitted in input order, and drain() waits for them', async () => {
    const source = new Stream<number>();
    const finish = new Map<number, () => void>();
    const out = source.map((x) => new Promise<number>((resolve) => finish.set(x, () => resolve(x * 10)))).sinkToList();
    source.emit(1);
    source.emit(2);
    finish.get(2)?.();
    const draining = source.drain();
    expect(await isPending(draining)).toBe(true);
    expect(out).toEqual([]);
    finish.get(1)?.();
    await draining;
    expect(out).toEqual([10, 20]);
  });

  test('an async rejection rejects that emit and later elements still flow', async () => {
    const source = new Stream<number>();
    const out = source.map(async (x) => {
      if (x === 0) throw new Error('async boom');
      return x;
    }).sinkToList();
    await expect(source.emit(0)).rejects.toThrow('async boom');
    await source.emit(1);
    expect(out).toEqual([1]);
  });

  test('a fn mixing sync and async results still emits in input order', async () => {
    const source = new Stream<number>();
    const out = source.map((x) => (x === 1 ? Promise.resolve(x) : x)).sinkToList();
    source.emit(1);
    source.emit(2);
    await source.drain();
    expect(out).toEqual([1, 2]);
  });

  test('test_map_str: toString shows the function name', () => {
    expect(String(new Stream<number>().map(add, 10))).toBe('<map: add>');
    expect(String(new Stream<number>({ name: 'm1' }).map(inc))).toBe('<map: inc>');
  });

  test('a non-function fn throws ArgumentTypeError naming fn', () => {
    const source = new Stream<number>();
    expect(() => source.map(3 as unknown as typeof inc)).toThrow(ArgumentTypeError);
    expect(() => source.map(3 as unknown as typeof inc)).toThrow(/^fn must be a function, got 3/);
  });

  test('a rejected fn leaves the upstream without a broken downstream', () => {
    const source = new Stream<number>();
    expect(() => source.map(3 as unknown as typeof inc)).toThrow(ArgumentTypeError);
    expect(source.downstreams).toEqual([]);
    expect(() => source.emit(1)).not.toThrow();
  });
});
