import { Stream } from '../../src';
import { asyncSinkToList } from '../support/async-sink-to-list';

function* range(start: number, end: number): Generator<number> {
  for (let i = start; i < end; i++) yield i;
}

describe('flatten', () => {
  test.each([
    ['lists', [[1, 2, 3], [4, 5], [6, 7, 8]]],
    ['generators', [range(1, 7), range(7, 9)]],
  ])('test_flatten (%s) emits 1..8', (_kind, inputs) => {
    const source = new Stream<Iterable<number>>();
    const out = source.flatten().sinkToList();
    for (const x of inputs as Iterable<number>[]) source.emit(x);
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('test_flatten_empty: empty iterables emit nothing', () => {
    const source = new Stream<number[]>();
    const out = source.flatten().sinkToList();
    for (const x of [[1, 2], [], [3, 4]]) source.emit(x);
    expect(out).toEqual([1, 2, 3, 4]);
  });

  test('strings flatten into characters; Sets and Maps into their items', () => {
    const source = new Stream<Iterable<unknown>>();
    const out = source.flatten().sinkToList();
    source.emit('ab');
    source.emit(new Set([1, 2]));
    source.emit(new Map([['k', 1]]));
    expect(out).toEqual(['a', 'b', 1, 2, ['k', 1]]);
  });

  test('concat is an alias of flatten', () => {
    const source = new Stream<number[]>();
    const out = source.concat().sinkToList();
    source.emit([1, 2]);
    expect(out).toEqual([1, 2]);
  });

  test('a non-iterable element throws a TypeError from emit; later elements still flow', () => {
    const source = new Stream<unknown>();
    const out = source.flatten().sinkToList();
    expect(() => source.emit(5)).toThrow('flatten needs iterable elements, got 5');
    expect(() => source.emit({ a: 1 })).toThrow(TypeError);
    expect(() => source.emit(null)).toThrow(TypeError);
    source.emit([1]);
    expect(out).toEqual([1]);
  });

  test('back pressure: with a slow downstream the next item waits for the previous one', async () => {
    const source = new Stream<Iterable<number>>();
    const releases: Array<() => void> = [];
    const started: number[] = [];
    source.flatten().sink((x) => {
      started.push(x);
      return new Promise<void>((resolve) => releases.push(resolve));
    });
    let pulled = 0;
    function* counted(): Generator<number> {
      for (let i = 0; i < 3; i++) {
        pulled++;
        yield i;
      }
    }
    const pending = source.emit(counted());
    expect(pending).toBeInstanceOf(Promise);
    expect(started).toEqual([0]);
    expect(pulled).toBe(1);
    releases[0]();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect(pulled).toBe(2);
    releases[1]();
    await new Promise((resolve) => setImmediate(resolve));
    releases[2]();
    await pending;
    expect(started).toEqual([0, 1, 2]);
  });

  test('an array element with back pressure keeps order and drain() waits for the rest', async () => {
    const source = new Stream<number[]>();
    const out = asyncSinkToList(source.flatten());
    source.emit([1, 2, 3]);
    await source.drain();
    expect(out).toEqual([1, 2, 3]);
  });

  test('a rejection downstream rejects the promise emit returned', async () => {
    const source = new Stream<number[]>();
    source.flatten().sink(async (x) => {
      if (x === 2) throw new Error('no 2');
    });
    await expect(source.emit([1, 2, 3])).rejects.toThrow('no 2');
  });

  test('test_tcp_word_count_example port: map(split).flatten().frequencies()', () => {
    const source = new Stream<string>();
    const out = source
      .map((line: string) => line.trim().split(/\s+/))
      .flatten()
      .frequencies()
      .sinkToList();
    for (const line of ['data\n', 'data\n', 'data\n', 'data2\n']) source.emit(line);
    expect(out).toEqual([{ data: 1 }, { data: 2 }, { data: 3 }, { data: 3, data2: 1 }]);
  });

  test('toString', () => {
    expect(String(new Stream<number[]>().flatten())).toBe('<flatten>');
  });
});
