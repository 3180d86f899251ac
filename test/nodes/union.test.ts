import { Stream } from '../../src';
import { asyncSinkToList } from '../support/async-sink-to-list';

describe('union', () => {
  test('test_union', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const c = new Stream<number>();
    const out = a.union(b, c).sinkToList();
    a.emit(1);
    expect(out).toEqual([1]);
    b.emit(2);
    expect(out).toEqual([1, 2]);
    a.emit(3);
    expect(out).toEqual([1, 2, 3]);
    c.emit(4);
    expect(out).toEqual([1, 2, 3, 4]);
  });

  test('test_multi_connect: a stream connected into a union node', () => {
    const u = new Stream<number>().union(new Stream<number>());
    const out = u.map((x) => x + 1).sinkToList();
    const upstream = new Stream<number>();
    upstream.connect(u);
    upstream.emit(2);
    upstream.emit(4);
    expect(out).toEqual([3, 5]);
  });

  test('a disconnected input no longer reaches the union', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const u = a.union(b);
    const out = u.sinkToList();
    b.emit(1);
    b.disconnect(u);
    b.emit(2);
    a.emit(3);
    expect(out).toEqual([1, 3]);
  });

  test('a stream united with itself passes each element once', () => {
    const a = new Stream<number>();
    const out = a.union(a).sinkToList();
    a.emit(1);
    expect(out).toEqual([1]);
  });

  test('emit returns what the downstream returned', async () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const seen = asyncSinkToList(a.union(b));
    const pending = b.emit(5);
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(seen).toEqual([5]);
  });

  test('toString and bad arguments', () => {
    const a = new Stream<number>();
    expect(String(a.union(new Stream()))).toBe('<union>');
    expect(() => a.union(1 as unknown as Stream<number>)).toThrow('others[0] must be a Stream');
  });
});
