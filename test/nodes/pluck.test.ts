import { ArgumentTypeError, Stream } from '../../src';
import { MissingKeyError } from '../../src/nodes/support/key-selector';

describe('pluck', () => {
  test('test_pluck: pluck(1) emits the item at index 1; a too-short array throws from emit', () => {
    const source = new Stream<number[]>();
    const out = source.pluck(1).sinkToList();
    source.emit([1, 2, 3]);
    expect(out).toEqual([2]);
    source.emit([4, 5, 6, 7, 8, 9]);
    expect(out).toEqual([2, 5]);
    expect(() => source.emit([1])).toThrow(MissingKeyError);
    expect(() => source.emit([1])).toThrow('key 1 is missing in [1]');
    expect(out).toEqual([2, 5]);
  });

  test('test_pluck_list: pluck([0, 2]) emits arrays of picks', () => {
    const source = new Stream<number[]>();
    const out = source.pluck([0, 2]).sinkToList();
    source.emit([1, 2, 3]);
    expect(out).toEqual([[1, 3]]);
    source.emit([4, 5, 6, 7, 8, 9]);
    expect(out).toEqual([
      [1, 3],
      [4, 6],
    ]);
    expect(() => source.emit([1])).toThrow(MissingKeyError);
  });

  test('test_from_file port: pluck by property name', () => {
    const source = new Stream<{ x: number; y?: string }>();
    const out = source.pluck('x').sinkToList();
    for (const x of [1, 2, 3]) source.emit({ x });
    expect(out).toEqual([1, 2, 3]);
  });

  test('a missing property throws a MissingKeyError naming the key and the element', () => {
    const source = new Stream<{ x?: number; y: number }>();
    source.pluck('x').sinkToList();
    let caught: unknown;
    try {
      source.emit({ y: 1 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingKeyError);
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as MissingKeyError).key).toBe('x');
    expect((caught as Error).message).toBe('key "x" is missing in {"y":1}');
  });

  test('a present key with an undefined value is emitted', () => {
    const source = new Stream<{ x: number | undefined }>();
    const out = source.pluck('x').sinkToList();
    source.emit({ x: undefined });
    expect(out).toEqual([undefined]);
  });

  test('null and undefined elements throw a MissingKeyError', () => {
    const source = new Stream<{ x: number } | null>();
    source.pluck('x' as never).sinkToList();
    expect(() => source.emit(null)).toThrow(MissingKeyError);
  });

  test('Map elements are read with get, strings by index', () => {
    const maps = new Stream<Map<string, number>>();
    const fromMaps = (maps as Stream<unknown> as Stream<Record<string, unknown>>).pluck('a').sinkToList();
    maps.emit(new Map([['a', 1]]));
    expect(fromMaps).toEqual([1]);
    expect(() => maps.emit(new Map([['b', 2]]))).toThrow(MissingKeyError);
    const strings = new Stream<string>();
    const chars = strings.pluck(0).sinkToList();
    strings.emit('hi');
    expect(chars).toEqual(['h']);
  });

  test('pluck([]) emits empty arrays', () => {
    const source = new Stream<number[]>();
    const out = source.pluck([]).sinkToList();
    source.emit([1]);
    expect(out).toEqual([[]]);
  });

  test('bad keys throw ArgumentTypeError naming the argument', () => {
    const source = new Stream<number[]>();
    expect(() => source.pluck({} as never)).toThrow(ArgumentTypeError);
    expect(() => source.pluck({} as never)).toThrow(/^key must be a property name/);
    expect(() => source.pluck([0, null] as never)).toThrow(/^key\[1\] must be a property name or an index/);
    expect(source.downstreams).toEqual([]);
  });

  test('toString shows the key', () => {
    const source = new Stream<number[]>();
    expect(String(source.pluck(1))).toBe('<pluck: 1>');
    expect(String(source.pluck([0, 2]))).toBe('<pluck: [0, 2]>');
  });
});
