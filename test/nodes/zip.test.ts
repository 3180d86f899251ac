import { ArgumentRangeError, ArgumentTypeError, PipelineError, Stream } from '../../src';
import { asyncSinkToList } from '../support/async-sink-to-list';
import { isPending } from '../support/is-pending';

describe('zip', () => {
  test('test_zip', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const out = a.zip(b).sinkToList();
    a.emit(1);
    b.emit('a');
    a.emit(2);
    b.emit('b');
    expect(out).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);

    const c = new Stream<number>();
    const d = new Stream<number>();
    const e = new Stream<number>();
    const triple = c.zip(d, e).sinkToList();
    c.emit(1);
    d.emit(2);
    expect(triple).toEqual([]);
    e.emit(3);
    expect(triple).toEqual([[1, 2, 3]]);
  });

  test('test_zip_literals', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const out = a.zip(123, b).sinkToList();
    a.emit(1);
    b.emit(2);
    expect(out).toEqual([[1, 123, 2]]);
    a.emit(4);
    b.emit(5);
    expect(out).toEqual([
      [1, 123, 2],
      [4, 123, 5],
    ]);
  });

  test('literals sit at their argument position, and a trailing object without maxsize is a literal', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const out = a.zip('lit', b, 99, { x: 1 }).sinkToList();
    a.emit(1);
    b.emit(2);
    expect(out).toEqual([[1, 'lit', 2, 99, { x: 1 }]]);
  });

  test('test_zip_same', () => {
    const a = new Stream<number>();
    const out = a.zip(a).sinkToList();
    a.emit(1);
    a.emit(2);
    expect(out).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  test('elements wait in order for their partners (tuples follow argument order, not arrival order)', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const out = a.zip(b).sinkToList();
    for (const x of [1, 2, 3]) a.emit(x);
    b.emit('x');
    expect(out).toEqual([[1, 'x']]);
    for (const x of ['y', 'z', 'w']) b.emit(x);
    expect(out).toEqual([
      [1, 'x'],
      [2, 'y'],
      [3, 'z'],
    ]);
    a.emit(4);
    expect(out.at(-1)).toEqual([4, 'w']);
    expect(out).toHaveLength(4);
  });

  test('test_connect_zip', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const x = a.zip(b);
    const out = x.sinkToList();
    c.connect(x);
    a.emit(1);
    b.emit(1);
    expect(out).toEqual([]);
    c.emit(1);
    expect(out).toEqual([[1, 1, 1]]);
  });

  test('test_disconnect_zip', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const x = a.zip(b, c);
    const out = x.sinkToList();
    b.disconnect(x);
    a.emit(1);
    b.emit(1);
    expect(out).toEqual([]);
    c.emit(1);
    expect(out).toEqual([[1, 1]]);
  });

  test('disconnecting the only input without a buffered element emits the tuples that are complete without it', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const x = a.zip(b, c);
    const out = x.sinkToList();
    a.emit(1);
    a.emit(2);
    c.emit(10);
    b.disconnect(x);
    expect(out).toEqual([[1, 10]]);
    c.emit(20);
    expect(out).toEqual([
      [1, 10],
      [2, 20],
    ]);
  });

  test('a failure while emitting after a disconnect goes to errors', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const x = a.zip(b);
    x.sink(() => {
      throw new Error('boom');
    });
    const failures = x.errors.sinkToList();
    a.emit(1);
    b.disconnect(x);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(PipelineError);
    expect(failures[0].message).toContain('boom');
  });

  test('test_zip_timeout: with maxsize 2 the third buffered element waits until the next tuple leaves', async () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const out = a.zip(b, { maxsize: 2 }).sinkToList();
    expect(a.emit(1)).toBeUndefined();
    expect(a.emit(2)).toBeUndefined();
    const third = a.emit(3);
    expect(third).toBeInstanceOf(Promise);
    expect(await isPending(third as Promise<void>)).toBe(true);
    expect(b.emit('a')).toBeUndefined();
    await expect(third).resolves.toBeUndefined();
    expect(out).toEqual([[1, 'a']]);
  });

  test('default maxsize 10: emits #10 and #11 wait, and the next tuple releases both', async () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const out = a.zip(b).sinkToList();
    const results = Array.from({ length: 12 }, (_, i) => a.emit(i));
    expect(results.slice(0, 10).every((r) => r === undefined)).toBe(true);
    const waiting = results.slice(10) as Promise<void>[];
    expect(waiting.every((r) => r instanceof Promise)).toBe(true);
    expect(await isPending(Promise.race(waiting))).toBe(true);
    b.emit(0);
    await Promise.all(waiting);
    expect(out).toEqual([[0, 0]]);
  });

  test('a producer awaiting its emits stays at most maxsize elements ahead of a slower partner', async () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const out = a.zip(b, { maxsize: 2 }).sinkToList();
    let mostAhead = 0;
    const producer = (async () => {
      for (let i = 0; i < 20; i++) {
        await a.emit(i);
        mostAhead = Math.max(mostAhead, i + 1 - out.length);
      }
    })();
    for (let i = 0; i < 20; i++) {
      await new Promise(setImmediate);
      b.emit(i);
    }
    await producer;
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => [i, i]));
    expect(mostAhead).toBe(2);
  });

  test('disconnecting an input releases the emits waiting on back pressure', async () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const x = a.zip(b, { maxsize: 1 });
    a.emit(1);
    const waiting = a.emit(2) as Promise<void>;
    expect(await isPending(waiting)).toBe(true);
    b.disconnect(x);
    await expect(waiting).resolves.toBeUndefined();
  });

  test('the emit that completes a tuple returns what the downstream returned', async () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const seen = asyncSinkToList(a.zip(b));
    expect(a.emit(1)).toBeUndefined();
    const completing = b.emit(2);
    expect(completing).toBeInstanceOf(Promise);
    await completing;
    expect(seen).toEqual([[1, 2]]);
  });

  test('a downstream error is thrown from the emit that completed the tuple, and zip keeps working', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const out: number[][] = [];
    a.zip(b).sink((pair) => {
      if (pair[0] === 1) throw new Error('one');
      out.push(pair);
    });
    a.emit(1);
    expect(() => b.emit(1)).toThrow('one');
    a.emit(2);
    b.emit(2);
    expect(out).toEqual([[2, 2]]);
  });

  test('undefined and null are elements like any other', () => {
    const a = new Stream<undefined>();
    const b = new Stream<null>();
    const out = a.zip(b).sinkToList();
    a.emit(undefined);
    b.emit(null);
    expect(out).toEqual([[undefined, null]]);
  });

  test('a long run through the buffers keeps order', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const out = a.zip(b, { maxsize: 1000 }).sinkToList();
    for (let i = 0; i < 100; i++) a.emit(i);
    for (let i = 0; i < 100; i++) b.emit(-i);
    expect(out).toEqual(Array.from({ length: 100 }, (_, i) => [i, -i]));
  });

  test('destroy detaches it from its inputs', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const x = a.zip(b);
    const out = x.sinkToList();
    x.destroy();
    a.emit(1);
    b.emit(1);
    expect(out).toEqual([]);
    expect(a.downstreams).not.toContain(x);
  });

  test('toString and graph wiring', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const x = a.zip(b, 'lit', b);
    expect(String(x)).toBe('<zip>');
    expect(x.upstreams).toEqual([a, b]);
    expect(b.downstreams).toEqual([x]);
  });

  test('an element from a stream that is not an input throws', () => {
    const a = new Stream<number>();
    const x = a.zip(new Stream<number>());
    expect(() => x.update(1, new Stream())).toThrow('not one of its inputs');
  });

  test('bad arguments', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    expect(() => a.zip(b, { maxsize: 0 })).toThrow(ArgumentRangeError);
    expect(() => a.zip(b, { maxsize: 0 })).toThrow('maxsize');
    expect(() => a.zip(b, { maxsize: 2.5 })).toThrow(ArgumentRangeError);
    expect(() => a.zip(b, { maxsize: 'many' as unknown as number })).toThrow(ArgumentTypeError);
    expect(a.downstreams).toEqual([]);
  });
});
