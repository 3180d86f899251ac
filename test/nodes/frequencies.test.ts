import { ArgumentTypeError, Stream } from '../../src';

describe('frequencies', () => {
  test("running counts: 'a','b','c','a' emits a new object each time", () => {
    const source = new Stream<string>();
    const out = source.frequencies().sinkToList();
    for (const x of ['a', 'b', 'c', 'a']) source.emit(x);
    expect(out).toEqual([{ a: 1 }, { a: 1, b: 1 }, { a: 1, b: 1, c: 1 }, { a: 2, b: 1, c: 1 }]);
    expect(new Set(out).size).toBe(4);
  });

  test("test_frequencies: 'a','b','a' ends with {a: 2, b: 1}", () => {
    const source = new Stream<string>();
    const out = source.frequencies().sinkToList();
    for (const x of ['a', 'b', 'a']) source.emit(x);
    expect(out[out.length - 1]).toEqual({ a: 2, b: 1 });
  });

  test('emitted objects are plain objects, and names of Object.prototype members count from 0', () => {
    const source = new Stream<string>();
    const out = source.frequencies().sinkToList();
    for (const x of ['constructor', 'toString', '__proto__', '__proto__']) source.emit(x);
    const last = out[out.length - 1];
    expect(Object.getPrototypeOf(last)).toBe(Object.prototype);
    expect(Object.entries(last)).toEqual([
      ['constructor', 1],
      ['toString', 1],
      ['__proto__', 2],
    ]);
  });

  test("numbers count under their property key: 1 and '1' share a count", () => {
    const source = new Stream<number | string | boolean | null>();
    const out = source.frequencies().sinkToList();
    for (const x of [1, '1', true, null]) source.emit(x);
    expect(out[out.length - 1]).toEqual({ 1: 2, true: 1, null: 1 });
  });

  test('symbols stay symbol keys', () => {
    const source = new Stream<symbol>();
    const tag = Symbol('tag');
    const out = source.frequencies().sinkToList();
    source.emit(tag);
    source.emit(tag);
    expect(out[1][tag]).toBe(2);
  });

  test('an object element throws a TypeError that points to { map: true }', () => {
    const source = new Stream<object>();
    source.frequencies().sinkToList();
    expect(() => source.emit({ a: 1 })).toThrow(/use frequencies\(\{ map: true \}\)/);
  });

  test('{ map: true } emits a new Map keyed by the elements, objects by identity', () => {
    const source = new Stream<unknown>();
    const out = source.frequencies({ map: true }).sinkToList();
    const key = { id: 1 };
    for (const x of [key, 1, '1', key, { id: 1 }]) source.emit(x);
    expect(out).toHaveLength(5);
    expect(out[0]).not.toBe(out[1]);
    expect([...out[4]]).toEqual([
      [key, 2],
      [1, 1],
      ['1', 1],
      [{ id: 1 }, 1],
    ]);
    expect(out[0].get(key)).toBe(1);
  });

  test('bad options throw ArgumentTypeError naming options', () => {
    expect(() => new Stream().frequencies(3 as never)).toThrow(ArgumentTypeError);
    expect(() => new Stream().frequencies(3 as never)).toThrow(/^options must be an object/);
  });

  test('toString', () => {
    expect(String(new Stream().frequencies())).toBe('<frequencies>');
  });
});
