import { ArgumentTypeError, Stream } from '../../src';

function add(x: number, y: number): number {
  return x + y;
}

describe('starmap', () => {
  test('test_starmap: starmap(add) on [1, 10] emits 11', () => {
    const source = new Stream<[number, number]>();
    const out = source.starmap(add).sinkToList();
    source.emit([1, 10]);
    expect(out).toEqual([11]);
  });

  test('extra arguments follow the spread element', () => {
    const source = new Stream<[number, number]>();
    const out = source.starmap((a: number, b: number, c: number) => [a, b, c], 100).sinkToList();
    source.emit([1, 2]);
    expect(out).toEqual([[1, 2, 100]]);
  });

  test('test_starmap (dask port): starmap(add, 10) style on (i, i)', () => {
    const source = new Stream<[number, number]>();
    const out = source.starmap((a: number, b: number, z: number) => a + b + z, 10).sinkToList();
    for (let i = 0; i < 5; i++) source.emit([i, i]);
    expect(out).toEqual([10, 12, 14, 16, 18]);
  });

  test('an async fn is awaited and results keep input order', async () => {
    const source = new Stream<[number, number]>();
    const out = source.starmap(async (a: number, b: number) => a * b).sinkToList();
    await Promise.all([source.emit([2, 3]), source.emit([4, 5])]);
    expect(out).toEqual([6, 20]);
  });

  test('a throwing fn throws from emit, later elements still flow', () => {
    const source = new Stream<[number, number]>();
    const out = source.starmap((a: number, b: number) => {
      if (b === 0) throw new RangeError('division by zero');
      return a / b;
    }).sinkToList();
    expect(() => source.emit([1, 0])).toThrow(RangeError);
    source.emit([6, 3]);
    expect(out).toEqual([2]);
  });

  test('a non-iterable element throws a TypeError from emit', () => {
    const source = new Stream<unknown>();
    source.starmap(add as (...xs: unknown[]) => number).sinkToList();
    expect(() => source.emit(5)).toThrow(TypeError);
  });

  test('toString shows the function name', () => {
    expect(String(new Stream<[number, number]>().starmap(add))).toBe('<starmap: add>');
  });

  test('a non-function fn throws ArgumentTypeError naming fn and leaves the upstream untouched', () => {
    const source = new Stream<[number, number]>();
    expect(() => source.starmap(3 as unknown as typeof add)).toThrow(ArgumentTypeError);
    expect(() => source.starmap(3 as unknown as typeof add)).toThrow(/^fn must be a function/);
    expect(source.downstreams).toEqual([]);
  });
});
