import { ArgumentTypeError, Stream } from '../../src';

function isEven(x: number): boolean {
  return x % 2 === 0;
}

describe('remove', () => {
  test('test_remove: remove(isEven) on 0..9 emits the odd numbers', () => {
    const source = new Stream<number>();
    const out = source.remove(isEven).sinkToList();
    for (let i = 0; i < 10; i++) source.emit(i);
    expect(out).toEqual([1, 3, 5, 7, 9]);
  });

  test('extra arguments are passed to the predicate', () => {
    const source = new Stream<number>();
    const out = source.remove((x: number, n: number) => x % n === 0, 3).sinkToList();
    for (let i = 0; i < 7; i++) source.emit(i);
    expect(out).toEqual([1, 2, 4, 5]);
  });

  test('a truthy non-boolean result removes the element', () => {
    const source = new Stream<number>();
    const out = source.remove((x: number) => x % 3).sinkToList();
    for (let i = 0; i < 7; i++) source.emit(i);
    expect(out).toEqual([0, 3, 6]);
  });

  test('back pressure: emit returns the downstream promise for kept elements only', async () => {
    const source = new Stream<number>();
    const seen: number[] = [];
    source.remove(isEven).sink(async (x) => {
      seen.push(x);
    });
    expect(source.emit(2)).toBeUndefined();
    await expect(source.emit(3)).resolves.toBeUndefined();
    expect(seen).toEqual([3]);
  });

  test('a throwing predicate throws from emit', () => {
    const source = new Stream<number>();
    source.remove(() => {
      throw new Error('bad predicate');
    });
    expect(() => source.emit(1)).toThrow('bad predicate');
  });

  test('toString shows the predicate name', () => {
    expect(String(new Stream<number>().remove(isEven))).toBe('<remove: isEven>');
  });

  test('a missing or non-function predicate throws ArgumentTypeError naming predicate', () => {
    const source = new Stream<number>();
    expect(() => source.remove(undefined as unknown as typeof isEven)).toThrow(ArgumentTypeError);
    expect(() => source.remove('x' as unknown as typeof isEven)).toThrow(/^predicate must be a function/);
    expect(source.downstreams).toEqual([]);
  });
});
