import { ArgumentTypeError, Stream } from '../../src';
import { runPipeline } from '../support/run-pipeline';

function isEven(x: number): boolean {
  return x % 2 === 0;
}

function filtered<T>(build: (source: Stream<T>) => Stream<T>, inputs: T[]): T[] {
  return runPipeline(inputs, build);
}

const zeroToNine = Array.from({ length: 10 }, (_, i) => i);

describe('filter', () => {
  test('test_filter: x % 2 === 0 on 0..9', () => {
    expect(filtered((s: Stream<number>) => s.filter(isEven), zeroToNine)).toEqual([0, 2, 4, 6, 8]);
  });

  test('test_filter_args and test_filter_kwargs: extra arguments reach the predicate', () => {
    expect(filtered((s: Stream<number>) => s.filter((x: number, n: number) => x % n === 0, 2), zeroToNine)).toEqual([0, 2, 4, 6, 8]);
  });

  test('test_filter_none: filter(null) keeps truthy elements of i % 3', () => {
    expect(filtered((s: Stream<number>) => s.filter(null), zeroToNine.map((i) => i % 3))).toEqual([1, 2, 1, 2, 1, 2]);
  });

  test('filter() without a predicate keeps truthy elements', () => {
    const inputs: unknown[] = [0, 1, '', 'a', null, [], [0], false, true, 2];
    expect(filtered((s: Stream<unknown>) => s.filter(), inputs)).toEqual([1, 'a', [], [0], true, 2]);
  });

  test('a throwing predicate throws from emit; later elements still flow', () => {
    const source = new Stream<number>();
    const out = source
      .filter((x) => {
        if (x < 0) throw new RangeError('negative');
        return true;
      })
      .sinkToList();
    expect(() => source.emit(-1)).toThrow('negative');
    source.emit(1);
    expect(out).toEqual([1]);
  });

  test('emit returns the downstream promise only for kept elements', async () => {
    const source = new Stream<number>();
    source.filter(isEven).sink(async () => undefined);
    expect(source.emit(1)).toBeUndefined();
    await expect(source.emit(2)).resolves.toBeUndefined();
  });

  test('test_filter_str', () => {
    expect(String(new Stream<number>().filter(isEven))).toBe('<filter: isEven>');
    expect(String(new Stream<number>().filter())).toBe('<filter>');
  });

  test('a non-function predicate throws ArgumentTypeError naming predicate', () => {
    expect(() => new Stream<number>().filter(5 as unknown as typeof isEven)).toThrow(ArgumentTypeError);
    expect(() => new Stream<number>().filter(5 as unknown as typeof isEven)).toThrow(/^predicate must be a function/);
  });

  test('a rejected predicate leaves the upstream without a broken downstream', () => {
    const source = new Stream<number>();
    expect(() => source.filter(5 as unknown as typeof isEven)).toThrow(ArgumentTypeError);
    expect(source.downstreams).toEqual([]);
  });
});
