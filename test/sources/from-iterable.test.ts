import { ArgumentTypeError, PipelineError, Stream } from '../../src';
import { waitFor } from '../support/wait-for';

/** An iterator over 0..n-1 that records how far it was advanced. */
function countingIterator(n: number): { iterator: IterableIterator<number>; pulled: () => number } {
  let next = 0;
  const iterator: IterableIterator<number> = {
    next: () => (next < n ? { value: next++, done: false } : { value: undefined, done: true }),
    [Symbol.iterator]() {
      return iterator;
    },
  };
  return { iterator, pulled: () => next };
}

/**
 * A sink that accepts the first element at once and holds each later one until `release()`;
 * after `open()` it accepts everything at once.
 */
function gatedSink<T>(stream: Stream<T>): { seen: T[]; release: () => void; open: () => void } {
  const seen: T[] = [];
  const gates: Array<() => void> = [];
  let opened = false;
  stream.sink((x: T) => {
    seen.push(x);
    if (seen.length === 1 || opened) return undefined;
    return new Promise<void>((resolve) => gates.push(resolve));
  });
  const release = (): void => gates.shift()?.();
  const open = (): void => {
    opened = true;
    while (gates.length > 0) release();
  };
  return { seen, release, open };
}

describe('Stream.fromIterable', () => {
  test('from_iterable: emits every item once started, then finishes', async () => {
    const source = Stream.fromIterable([0, 1, 2]);
    const out = source.sinkToList();
    expect(out).toEqual([]);
    expect(source.state).toBe('idle');
    await source.start();
    await source.drain();
    expect(out).toEqual([0, 1, 2]);
    expect(source.state).toBe('finished');
  });

  test('{ start: true } starts on the next microtask: nodes attached right after see every element', async () => {
    const source = Stream.fromIterable([1, 2, 3], { start: true });
    const out = source.map((x) => x + 1).sinkToList();
    expect(out).toEqual([]);
    await source.drain();
    expect(out).toEqual([2, 3, 4]);
    expect(source.state).toBe('finished');
  });

  test('from_iterable_backpressure: a slow downstream keeps the iterator from running ahead', async () => {
    const { iterator, pulled } = countingIterator(5);
    const source = Stream.fromIterable(iterator);
    const { seen, release, open } = gatedSink(source);
    void source.start();
    await waitFor(() => seen.length === 2, 1000, 'the second element');
    expect(seen).toEqual([0, 1]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pulled()).toBe(2);
    release();
    await waitFor(() => seen.length === 3, 1000, 'the third element');
    expect(pulled()).toBe(3);
    open();
    await source.drain();
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  test.each([
    ['from_iterable_backpressure with rateLimit: once 0 passed, 1 waits in rateLimit and 2 is not pulled', (source: Stream<number>) => source],
    [
      'backpressure_connect_empty_stream: back pressure travels through a connected pass-through node',
      (source: Stream<number>) => {
        const passThrough = new Stream<number>();
        source.connect(passThrough);
        return passThrough;
      },
    ],
  ])('%s', async (_name, downstreamOf) => {
    const { iterator, pulled } = countingIterator(5);
    const source = Stream.fromIterable(iterator);
    const out = downstreamOf(source).rateLimit(50).sinkToList();
    void source.start();
    expect(out).toEqual([0]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pulled()).toBe(2);
    await source.stop();
    await source.drain();
    expect(out).toEqual([0, 1]);
    expect(pulled()).toBe(2);
  });

  test('from_iterable_stop: stop() ends early, start() continues where it stopped', async () => {
    const source = Stream.fromIterable([0, 1, 2, 3, 4]);
    const { seen, release, open } = gatedSink(source);
    void source.start();
    await waitFor(() => seen.length === 2, 1000, 'the second element');
    await source.stop();
    expect(source.state).toBe('stopped');
    release();
    await source.drain();
    expect(seen).toEqual([0, 1]);
    void source.start();
    await waitFor(() => seen.length === 3, 1000, 'the third element');
    expect(seen).toEqual([0, 1, 2]);
    open();
    await source.drain();
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(source.state).toBe('finished');
  });

  test('an async iterable is pulled one item at a time and drain() waits for the last element', async () => {
    async function* numbers(): AsyncGenerator<number> {
      for (let i = 0; i < 4; i++) {
        await Promise.resolve();
        yield i;
      }
    }
    const source = Stream.fromIterable(numbers(), { start: true });
    const out: number[] = [];
    source.map((x) => x * 10).sink(async (x: number) => {
      await new Promise((resolve) => setImmediate(resolve));
      out.push(x);
    });
    await source.drain();
    expect(out).toEqual([0, 10, 20, 30]);
  });

  test('start() on a downstream node starts the source', async () => {
    const source = Stream.fromIterable(['a', 'b']);
    const mapped = source.map((x) => x.toUpperCase());
    const out = mapped.sinkToList();
    mapped.start();
    await source.drain();
    expect(out).toEqual(['A', 'B']);
  });

  test('a long synchronous iterable does not block the event loop', async () => {
    function* forever(): Generator<number> {
      for (let i = 0; ; i++) yield i;
    }
    const source = Stream.fromIterable(forever());
    let count = 0;
    source.sink(() => count++);
    void source.start();
    await new Promise((resolve) => setImmediate(resolve));
    expect(count).toBeGreaterThan(0);
    await source.stop();
    const stoppedAt = count;
    await new Promise((resolve) => setImmediate(resolve));
    expect(count).toBe(stoppedAt);
  });

  test('a failing element goes to errors and later elements still flow', async () => {
    const source = Stream.fromIterable([1, 0, 2]);
    const failures = source.errors.sinkToList();
    const out = source.map((x) => {
      if (x === 0) throw new RangeError('zero');
      return x;
    }).sinkToList();
    await source.start();
    await source.drain();
    expect(out).toEqual([1, 2]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(PipelineError);
    expect(failures[0].element).toBe(0);
  });

  test('an iterator that throws fails the source and reports the error', async () => {
    function* broken(): Generator<number> {
      yield 1;
      throw new Error('broken input');
    }
    const source = Stream.fromIterable(broken());
    const failures = source.errors.sinkToList();
    const out = source.sinkToList();
    await source.start();
    await source.drain();
    expect(out).toEqual([1]);
    expect(source.state).toBe('failed');
    expect(failures.map((failure) => String(failure.error))).toEqual(['Error: broken input']);
  });

  test('a non-iterable throws a TypeError naming the argument', () => {
    expect(() => Stream.fromIterable(42 as unknown as number[])).toThrow(ArgumentTypeError);
    expect(() => Stream.fromIterable(null as unknown as number[])).toThrow(/iterable must be an iterable/);
  });

  test('toString', () => {
    expect(String(Stream.fromIterable([1]))).toBe('<fromIterable>');
    expect(String(Stream.fromIterable([1], { name: 'numbers' }))).toBe('<numbers; fromIterable>');
  });
});
