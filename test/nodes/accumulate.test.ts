import { ArgumentTypeError, Stream } from '../../src';
import type { AccumulateOptions } from '../../src/nodes/accumulate';
import { runPipeline } from '../support/run-pipeline';

function add(x: number, y: number): number {
  return x + y;
}

function accumulated<S, In>(inputs: In[], fn: (state: S, x: In) => unknown, options?: AccumulateOptions<S>): unknown[] {
  return runPipeline(inputs, (source) => source.accumulate(fn as (state: S, x: In) => S, options));
}

describe('accumulate', () => {
  test('without start, the first element becomes the state and is emitted without calling fn', () => {
    const calls: number[] = [];
    const out = accumulated([0, 1, 2, 3, 4], (acc: number, x: number) => {
      calls.push(x);
      return acc + x;
    });
    expect(out).toEqual([0, 1, 3, 6, 10]);
    expect(calls).toEqual([1, 2, 3, 4]);
  });

  test('start: add with start 10 on 0..4', () => {
    expect(accumulated([0, 1, 2, 3, 4], add, { start: 10 })).toEqual([10, 11, 13, 16, 20]);
  });

  test('start: null is a real start value', () => {
    const out = accumulated([1, 2], (acc: unknown[] | null, x: number) => [...(acc ?? ['null']), x], { start: null });
    expect(out).toEqual([['null', 1], ['null', 1, 2]]);
  });

  test('test_scan: returnsState with f = (acc + i, acc + i) on 0, 1, 2', () => {
    const f = (acc: number, i: number): [number, number] => [acc + i, acc + i];
    expect(accumulated([0, 1, 2], f, { returnsState: true })).toEqual([0, 1, 3]);
  });

  test('returnsState: fn returns [state, result] and result is emitted (with and without start)', () => {
    const f = (acc: number, x: number): [number, number] => [acc + x, acc * 100];
    expect(accumulated([1, 2, 3, 4], f, { start: 0, returnsState: true })).toEqual([0, 100, 300, 600]);
    expect(accumulated([1, 2, 3, 4], f, { returnsState: true })).toEqual([1, 100, 300, 600]);
  });

  test('the returnsState overload types the emitted result', () => {
    const source = new Stream<number>();
    const labels: Stream<string> = source.accumulate((count: number, x: number): [number, string] => [count + 1, `${count}:${x}`], {
      start: 0,
      returnsState: true,
    });
    const out = labels.sinkToList();
    source.emit(7);
    expect(out).toEqual(['0:7']);
  });

  test('withState emits [state, result]; the first element without start gives [x, x]', () => {
    expect(accumulated([1, 2, 3, 4], add, { withState: true })).toEqual([
      [1, 1],
      [3, 3],
      [6, 6],
      [10, 10],
    ]);
    const f = (acc: number, x: number): [number, string] => [acc + x, `+${x}`];
    expect(accumulated([1, 2], f, { start: 0, returnsState: true, withState: true })).toEqual([
      [1, '+1'],
      [3, '+2'],
    ]);
  });

  test('test_accumulate_errors_raises: a throwing fn throws from emit and the state is unchanged', () => {
    const source = new Stream<number>();
    const out = source
      .accumulate(
        (acc: number, y: number) => {
          if (y === 0) throw new RangeError('division by zero');
          return acc / y;
        },
        { withState: true },
      )
      .sinkToList();
    source.emit(8);
    expect(() => source.emit(0)).toThrow(RangeError);
    source.emit(2);
    expect(out).toEqual([
      [8, 8],
      [4, 4],
    ]);
  });

  test('test_accumulate_errors_log: a failure behind a buffer goes to errors', async () => {
    const source = new Stream<number>();
    const node = source.buffer(1).accumulate(
      (acc: number, y: number) => {
        if (y === 0) throw new RangeError('division by zero');
        return acc / y;
      },
      { withState: true },
    );
    const failures = node.errors.sinkToList();
    await source.emit(1);
    await source.emit(0);
    await source.drain();
    expect(failures.map((failure) => failure.message)).toEqual([expect.stringContaining('RangeError: division by zero')]);
  });

  test('scan is an alias of accumulate', () => {
    const source = new Stream<number>();
    const out = source.scan(add, { start: 0 }).sinkToList();
    source.emit(1);
    source.emit(2);
    expect(out).toEqual([1, 3]);
  });

  test('each node keeps its own state', () => {
    const source = new Stream<number>();
    const a = source.accumulate(add).sinkToList();
    const b = source.accumulate(add, { start: 100 }).sinkToList();
    source.emit(1);
    source.emit(2);
    expect(a).toEqual([1, 3]);
    expect(b).toEqual([101, 103]);
  });

  test('toString shows the function name', () => {
    expect(String(new Stream<number>().accumulate(add))).toBe('<accumulate: add>');
  });

  test('a non-function fn throws ArgumentTypeError naming fn', () => {
    expect(() => new Stream<number>().accumulate(1 as unknown as typeof add)).toThrow(/^fn must be a function/);
    expect(() => new Stream<number>().accumulate(add, 1 as never)).toThrow(ArgumentTypeError);
  });

  test('a rejected fn leaves the upstream without a broken downstream', () => {
    const source = new Stream<number>();
    expect(() => source.accumulate(1 as unknown as typeof add)).toThrow(ArgumentTypeError);
    expect(source.downstreams).toEqual([]);
  });
});

describe('accumulate start: undefined', () => {
  test('start: undefined means no start value, so the first element passes through', () => {
    const source = new Stream<number>();
    const out = source.accumulate((acc: number, x: number) => acc + x, { start: undefined }).sinkToList();
    [1, 2, 3].forEach((x) => source.emit(x));
    expect(out).toEqual([1, 3, 6]);
  });
});
