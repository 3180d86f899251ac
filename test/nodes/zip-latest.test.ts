import { PipelineError, Stream } from '../../src';
import { asyncSinkToList } from '../support/async-sink-to-list';

describe('zipLatest', () => {
  test('test_zip_latest (compared with combineLatest emitOn this stream)', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const zipped = a.zipLatest(b).sinkToList();
    const combined = a.combineLatest(b, { emitOn: a }).sinkToList();
    a.emit(1);
    a.emit(2);
    b.emit('a');
    b.emit('b');
    a.emit(3);
    expect(zipped).toEqual([
      [1, 'a'],
      [2, 'a'],
      [3, 'b'],
    ]);
    expect(combined).toEqual([[3, 'b']]);
  });

  test('test_zip_latest_reverse', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const out = a.zipLatest(b).sinkToList();
    b.emit('a');
    a.emit(1);
    a.emit(2);
    a.emit(3);
    b.emit('b');
    a.emit(4);
    expect(out).toEqual([
      [1, 'a'],
      [2, 'a'],
      [3, 'a'],
      [4, 'b'],
    ]);
  });

  test('test_triple_zip_latest', () => {
    const s1 = new Stream<number>();
    const s2 = new Stream<string>();
    const s3 = new Stream<string>();
    const out = s1.zipLatest(s2, s3).sinkToList();
    s1.emit(1);
    s2.emit('I');
    s2.emit('II');
    s1.emit(2);
    s2.emit('III');
    s3.emit('a');
    s3.emit('b');
    s1.emit(3);
    expect(out).toEqual([
      [1, 'III', 'a'],
      [2, 'III', 'a'],
      [3, 'III', 'b'],
    ]);
  });

  test('a stream zipped with its own latest', () => {
    const a = new Stream<number>();
    const out = a.zipLatest(a).sinkToList();
    a.emit(1);
    a.emit(2);
    expect(out).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  test('connect adds an input that waiting elements then need', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const c = new Stream<string>();
    const x = a.zipLatest(b);
    const out = x.sinkToList();
    c.connect(x);
    b.emit('b');
    a.emit(1);
    expect(out).toEqual([]);
    c.emit('c');
    expect(out).toEqual([[1, 'b', 'c']]);
  });

  test('disconnecting the only input without a value emits the waiting elements', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const c = new Stream<string>();
    const x = a.zipLatest(b, c);
    const out = x.sinkToList();
    a.emit(1);
    a.emit(2);
    b.emit('b');
    c.disconnect(x);
    expect(out).toEqual([
      [1, 'b'],
      [2, 'b'],
    ]);
    a.emit(3);
    expect(out.at(-1)).toEqual([3, 'b']);
  });

  test('disconnecting an input that has a value drops its position', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const c = new Stream<string>();
    const x = a.zipLatest(b, c);
    const out = x.sinkToList();
    b.emit('b');
    c.emit('c');
    a.emit(1);
    b.disconnect(x);
    a.emit(2);
    expect(out).toEqual([
      [1, 'b', 'c'],
      [2, 'c'],
    ]);
  });

  test('the waiting elements of a disconnected lossless stream are still emitted', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const x = a.zipLatest(b);
    const out = x.sinkToList();
    a.emit(1);
    a.disconnect(x);
    b.emit('b');
    expect(out).toEqual([[1, 'b']]);
  });

  test('an asynchronous downstream: the completing emit waits for every released element', async () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const seen = asyncSinkToList(a.zipLatest(b));
    expect(a.emit(1)).toBeUndefined();
    expect(a.emit(2)).toBeUndefined();
    const released = b.emit('b');
    expect(released).toBeInstanceOf(Promise);
    await released;
    expect(seen).toEqual([
      [1, 'b'],
      [2, 'b'],
    ]);
  });

  test('a downstream error is thrown from the emit; elements after it stay waiting for the next emit', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const out: Array<[number, string]> = [];
    a.zipLatest(b).sink((pair) => {
      if (pair[0] === 1) throw new Error('one');
      out.push(pair);
    });
    a.emit(1);
    a.emit(2);
    expect(() => b.emit('b')).toThrow('one');
    expect(out).toEqual([]);
    b.emit('c');
    expect(out).toEqual([[2, 'c']]);
  });

  test('a failure while emitting after a disconnect goes to errors', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const x = a.zipLatest(b);
    x.sink(() => {
      throw new Error('boom');
    });
    const failures = x.errors.sinkToList();
    a.emit(1);
    b.disconnect(x);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(PipelineError);
  });

  test('toString and bad arguments', () => {
    const a = new Stream<number>();
    expect(String(a.zipLatest(new Stream()))).toBe('<zipLatest>');
    expect(() => a.zipLatest('b' as unknown as Stream<string>)).toThrow('others[0] must be a Stream');
  });
});
