import { ArgumentRangeError, ArgumentTypeError, Stream } from '../../src';
import type { UniqueOptions } from '../../src/nodes/unique';
import { runPipeline } from '../support/run-pipeline';

function uniqueOf<T>(inputs: T[], options?: UniqueOptions<T>): T[] {
  return runPipeline(inputs, (source: Stream<T>) => source.unique(options));
}

describe('unique', () => {
  test('test_unique: 1, 2, 1 emits 1, 2', () => {
    expect(uniqueOf([1, 2, 1])).toEqual([1, 2]);
  });

  test('unique() on 1,1,2,2,2,1,3 emits 1,2,3; maxsize 1 emits 1,2,1,3', () => {
    expect(uniqueOf([1, 1, 2, 2, 2, 1, 3])).toEqual([1, 2, 3]);
    expect(uniqueOf([1, 1, 2, 2, 2, 1, 3], { maxsize: 1 })).toEqual([1, 2, 1, 3]);
  });

  test('test_unique_key: unique({ key: x % 2, maxsize: 1 }) on 1,2,4,6,3 emits 1,2,3', () => {
    expect(uniqueOf([1, 2, 4, 6, 3], { key: (x) => x % 2, maxsize: 1 })).toEqual([1, 2, 3]);
  });

  test('test_unique_history: maxsize 2, a repeat makes its key recent again', () => {
    const source = new Stream<number>();
    const out = source.unique({ maxsize: 2 }).sinkToList();
    const emitAll = (xs: number[]): void => xs.forEach((x) => source.emit(x));
    emitAll([1, 2, 1, 2, 1, 2]);
    expect(out).toEqual([1, 2]);
    emitAll([3, 2]);
    expect(out).toEqual([1, 2, 3]);
    emitAll([1]);
    expect(out).toEqual([1, 2, 3, 1]);
    emitAll([2, 3, 2]);
    expect(out).toEqual([1, 2, 3, 1, 3]);
  });

  test('test_unique_history_dict: objects compare by identity (streamz hashable=False with the same objects)', () => {
    const a = { a: 1 };
    const b = { b: 2 };
    const c = { c: 3 };
    const source = new Stream<object>();
    const out = source.unique({ maxsize: 2 }).sinkToList();
    for (const x of [a, b, a, b, a, b]) source.emit(x);
    expect(out).toEqual([a, b]);
    for (const x of [c, b]) source.emit(x);
    expect(out).toEqual([a, b, c]);
    source.emit(a);
    expect(out).toEqual([a, b, c, a]);
    expect(out[3]).toBe(a);
  });

  test('"unhashable" elements: equal-looking objects are distinct keys; key: JSON.stringify compares by value', () => {
    const inputs = [{ a: 1 }, { a: 1 }, { b: 2 }, { a: 1 }];
    expect(uniqueOf(inputs)).toHaveLength(4);
    expect(uniqueOf(inputs, { key: (x) => JSON.stringify(x) })).toEqual([{ a: 1 }, { b: 2 }]);
    const lists = [['a'], ['a'], ['b']];
    expect(uniqueOf(lists, { key: (x) => x.join('\u0000') })).toEqual([['a'], ['b']]);
  });

  test('keys compare as Map keys: NaN equals NaN, 0 equals -0, 1 differs from "1"', () => {
    expect(uniqueOf<unknown>([NaN, NaN, 0, -0, 1, '1'])).toEqual([NaN, 0, 1, '1']);
  });

  test('key may be a property name', () => {
    const inputs = [
      { id: 0, foo: 'bar' },
      { id: 0, foo: 'baz' },
      { id: 1, foo: 'bat' },
    ];
    expect(uniqueOf(inputs, { key: 'id' })).toEqual([inputs[0], inputs[2]]);
  });

  test('a throwing key throws from emit and the element is not remembered', () => {
    const source = new Stream<number>();
    const out = source
      .unique({
        key: (x) => {
          if (x < 0) throw new RangeError('negative');
          return x;
        },
      })
      .sinkToList();
    expect(() => source.emit(-1)).toThrow('negative');
    source.emit(1);
    source.emit(1);
    expect(out).toEqual([1]);
  });

  test('bad options throw errors naming the argument', () => {
    const source = new Stream<number>();
    expect(() => source.unique({ maxsize: 0 })).toThrow(ArgumentRangeError);
    expect(() => source.unique({ maxsize: -1 })).toThrow(/^maxsize must be an integer >= 1/);
    expect(() => source.unique({ maxsize: '2' as unknown as number })).toThrow(ArgumentTypeError);
    expect(() => source.unique({ key: {} as never })).toThrow(/^key must be a function, a property name or an index/);
    expect(() => source.unique(5 as never)).toThrow(/^options must be an object/);
    expect(source.downstreams).toEqual([]);
  });

  test('toString', () => {
    expect(String(new Stream().unique())).toBe('<unique>');
  });
});
