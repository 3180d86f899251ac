import { ArgumentRangeError, ArgumentTypeError, Stream } from '../../src';

function emitAll(steps: Array<[Stream<number>, number] | [Stream<string>, string]>): void {
  for (const [stream, x] of steps) (stream as Stream<unknown>).emit(x);
}

describe('combineLatest', () => {
  test('test_combine_latest (emitOn omitted or every input)', () => {
    for (const emitOn of [undefined, 'both'] as const) {
      const a = new Stream<number>();
      const b = new Stream<string>();
      const out = (emitOn === undefined ? a.combineLatest(b) : a.combineLatest(b, { emitOn: [a, b] })).sinkToList();
      emitAll([
        [a, 1],
        [a, 2],
        [b, 'a'],
        [a, 3],
        [b, 'b'],
      ]);
      expect(out).toEqual([
        [2, 'a'],
        [3, 'a'],
        [3, 'b'],
      ]);
    }
  });

  test.each([
    ['test_combine_latest_emit_on (emitOn as a stream)', (a: Stream<number>) => a],
    ['test_combine_latest_emit_on_stream (emitOn as an index)', () => 0],
  ])('%s', (_name, emitOnOf) => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const out = a.combineLatest(b, { emitOn: emitOnOf(a) }).sinkToList();
    emitAll([
      [a, 1],
      [b, 'a'],
      [a, 2],
      [a, 3],
      [b, 'b'],
      [a, 4],
    ]);
    expect(out).toEqual([
      [2, 'a'],
      [3, 'a'],
      [4, 'b'],
    ]);
  });

  test('emitOn on the other stream', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const out = a.combineLatest(b, { emitOn: b }).sinkToList();
    emitAll([
      [a, 1],
      [b, 'x'],
      [a, 2],
      [b, 'y'],
    ]);
    expect(out).toEqual([
      [1, 'x'],
      [2, 'y'],
    ]);
  });

  test('emitOn mixing an index and a stream', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const c = new Stream<string>();
    const out = a.combineLatest(b, c, { emitOn: [0, c] }).sinkToList();
    emitAll([
      [a, 1],
      [b, 'x'],
      [c, 'C'],
      [b, 'y'],
      [a, 2],
    ]);
    expect(out).toEqual([
      [1, 'x', 'C'],
      [2, 'y', 'C'],
    ]);
  });

  test('test_connect_combine_latest', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const x = a.combineLatest(b, { emitOn: a });
    const out = x.sinkToList();
    c.connect(x);
    b.emit(1);
    c.emit(1);
    a.emit(1);
    expect(out).toEqual([[1, 1, 1]]);
  });

  test('connect without emitOn: the new input triggers too, and nothing is emitted until it has a value', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const x = a.combineLatest(b);
    const out = x.sinkToList();
    a.emit(1);
    b.emit(2);
    expect(out).toEqual([[1, 2]]);
    c.connect(x);
    a.emit(3);
    expect(out).toEqual([[1, 2]]);
    c.emit(4);
    expect(out).toEqual([
      [1, 2],
      [3, 2, 4],
    ]);
  });

  test('test_connect_discombine_latest', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const x = a.combineLatest(b, c, { emitOn: a });
    const out = x.sinkToList();
    c.disconnect(x);
    b.emit(1);
    c.emit(1);
    a.emit(1);
    expect(out).toEqual([[1, 1]]);
  });

  test('an input that already emitted can be disconnected (streamz raises KeyError)', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const x = a.combineLatest(b, c);
    const out = x.sinkToList();
    a.emit(1);
    b.emit(2);
    c.emit(3);
    expect(() => b.disconnect(x)).not.toThrow();
    a.emit(4);
    expect(out).toEqual([
      [1, 2, 3],
      [4, 3],
    ]);
  });

  test('disconnecting the only missing input makes the next element emit', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const x = a.combineLatest(b, c);
    const out = x.sinkToList();
    a.emit(1);
    b.emit(2);
    c.disconnect(x);
    expect(out).toEqual([]);
    a.emit(3);
    expect(out).toEqual([[3, 2]]);
  });

  test('a stream combined with itself fills both positions', () => {
    const a = new Stream<number>();
    const out = a.combineLatest(a).sinkToList();
    a.emit(1);
    a.emit(2);
    expect(out).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  test('every emitted array is a fresh copy', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const out = a.combineLatest(b).sinkToList();
    a.emit(1);
    b.emit(2);
    a.emit(3);
    expect(out[0]).not.toBe(out[1]);
    expect(out).toEqual([
      [1, 2],
      [3, 2],
    ]);
  });

  test('test_execution_order: the order downstreams were attached decides what is combined', () => {
    const run = (colorsFirst: boolean): unknown[] => {
      const s = new Stream<[number, string]>();
      const colors = colorsFirst ? s.pluck(1) : undefined;
      const numbers = s.pluck(0);
      const out = numbers.combineLatest(colors ?? s.pluck(1), { emitOn: numbers }).sinkToList();
      s.emit([1, 'red']);
      s.emit([2, 'blue']);
      s.emit([3, 'green']);
      return out;
    };
    expect(run(true)).toEqual([
      [1, 'red'],
      [2, 'blue'],
      [3, 'green'],
    ]);
    expect(run(false)).toEqual([
      [2, 'red'],
      [3, 'blue'],
    ]);
  });

  test('toString', () => {
    expect(String(new Stream().combineLatest(new Stream()))).toBe('<combineLatest>');
  });

  test('bad arguments', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const stranger = new Stream<number>();
    expect(() => a.combineLatest(b, { emitOn: 'a' as unknown as number })).toThrow(ArgumentTypeError);
    expect(() => a.combineLatest(b, { emitOn: ['a' as unknown as number] })).toThrow('emitOn must be');
    expect(() => a.combineLatest(b, { emitOn: stranger })).toThrow(ArgumentRangeError);
    expect(() => a.combineLatest(b, { emitOn: 2 })).toThrow(ArgumentRangeError);
    expect(() => a.combineLatest(b, { emitOn: -1 })).toThrow(ArgumentRangeError);
    expect(() => a.combineLatest(b, { emitOn: [] })).toThrow(ArgumentRangeError);
    expect(() => a.combineLatest(b, 3 as unknown as Stream<number>)).toThrow('others[1] must be a Stream');
    expect(a.downstreams).toEqual([]);
  });
});
