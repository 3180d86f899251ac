import { ArgumentTypeError, Stream } from '../../src';
import { isPending } from '../support/is-pending';

describe('sink', () => {
  test('test_sink_with_args_and_kwargs: extra arguments follow the element', () => {
    const source = new Stream<number>();
    const calls: unknown[][] = [];
    source.sink((x: number, a: string, b: string) => calls.push([x, a, b]), 'cat', 'super');
    source.emit(1);
    source.emit(2);
    expect(calls).toEqual([
      [1, 'cat', 'super'],
      [2, 'cat', 'super'],
    ]);
  });

  test('sinkToList returns the array, not the node', () => {
    const source = new Stream<number>();
    const out = source.sinkToList();
    expect(Array.isArray(out)).toBe(true);
    source.emit(1);
    expect(out).toEqual([1]);
  });

  test('a sink emits nothing downstream and a synchronous sink makes emit return undefined', () => {
    const source = new Stream<number>();
    const sink = source.sink(() => 'ignored');
    const after = sink.sinkToList();
    expect(source.emit(1)).toBeUndefined();
    expect(after).toEqual([]);
  });

  test('test_backpressure: an async sink makes emit wait for it', async () => {
    jest.useFakeTimers();
    try {
      const source = new Stream<number>();
      const written: number[] = [];
      source
        .map((x) => x + 1)
        .scan((a: number, b: number) => a + b, { start: 0 })
        .sink(async (x) => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          written.push(x);
        });
      let finished = false;
      const emits = (async () => {
        for (let i = 0; i < 3; i++) await source.emit(i);
        finished = true;
      })();
      await jest.advanceTimersByTimeAsync(250);
      expect(finished).toBe(false);
      expect(written).toEqual([1, 3]);
      await jest.advanceTimersByTimeAsync(50);
      await emits;
      expect(written).toEqual([1, 3, 6]);
    } finally {
      jest.useRealTimers();
    }
  });

  test('a throwing sink throws from emit; an async failure rejects it', async () => {
    const source = new Stream<number>();
    source.sink((x) => {
      if (x === 0) throw new Error('sync sink failure');
    });
    expect(() => source.emit(0)).toThrow('sync sink failure');
    const other = new Stream<number>();
    other.sink(async () => {
      throw new Error('async sink failure');
    });
    await expect(other.emit(0)).rejects.toThrow('async sink failure');
  });

  test('drain() waits for an async sink; the sink node is running once it received elements', async () => {
    const source = new Stream<number>();
    const written: number[] = [];
    let finish = (): void => {};
    const sink = source.sink(async (x) => {
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      written.push(x);
    });
    expect(sink.state).toBe('idle');
    void source.emit(1);
    const draining = source.drain();
    expect(await isPending(draining)).toBe(true);
    finish();
    await draining;
    expect(written).toEqual([1]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.state).toBe('running');
  });

  test('test_destroy: a destroyed sink receives nothing', () => {
    const source = new Stream<number>();
    const seen: number[] = [];
    const sink = source.map((x) => x + 1).sink((x) => seen.push(x));
    source.emit(1);
    sink.destroy();
    source.emit(2);
    expect(seen).toEqual([2]);
  });

  test("toString: '<sink: name>'", () => {
    function log(): void {}
    expect(String(new Stream().sink(log))).toBe('<sink: log>');
  });

  test('a non-function fn throws ArgumentTypeError naming fn', () => {
    expect(() => new Stream().sink('x' as unknown as () => void)).toThrow(ArgumentTypeError);
    expect(() => new Stream().sink('x' as unknown as () => void)).toThrow(/^fn must be a function/);
  });

  test('a rejected fn leaves the upstream without a broken downstream', () => {
    const source = new Stream<number>();
    expect(() => source.sink('x' as unknown as () => void)).toThrow(ArgumentTypeError);
    expect(() => source.emit(1)).not.toThrow();
  });
});
