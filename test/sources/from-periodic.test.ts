import { ArgumentRangeError, ArgumentTypeError, Stream } from '../../src';

describe('Stream.fromPeriodic', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('periodic: idle before start, then emits the callback result every interval', async () => {
    const source = Stream.fromPeriodic(() => true, { interval: 100 });
    const out = source.sinkToList();
    await jest.advanceTimersByTimeAsync(500);
    expect(out).toEqual([]);
    expect(source.state).toBe('idle');
    void source.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(out).toEqual([true]);
    expect(source.state).toBe('running');
    await jest.advanceTimersByTimeAsync(250);
    expect(out).toEqual([true, true, true]);
    await source.stop();
    await jest.advanceTimersByTimeAsync(500);
    expect(out).toHaveLength(3);
    expect(source.state).toBe('stopped');
  });

  test('counter: awaits a returned promise and waits for downstream before the next interval', async () => {
    let count = 0;
    const source = Stream.fromPeriodic(async function counter() {
      await Promise.resolve();
      return count++;
    }, { interval: 10, start: true });
    const out: number[] = [];
    source.sink((x: number) => new Promise<void>((resolve) => setTimeout(() => {
      out.push(x);
      resolve();
    }, 50)));
    await jest.advanceTimersByTimeAsync(125);
    // each cycle: 50 ms downstream + 10 ms interval
    expect(out).toEqual([0, 1]);
    expect(String(source)).toBe('<fromPeriodic: counter>');
    await source.stop();
    await jest.advanceTimersByTimeAsync(100);
    await source.drain();
    expect(out).toEqual([0, 1, 2]);
  });

  test('a failing callback goes to errors and polling goes on', async () => {
    let calls = 0;
    const source = Stream.fromPeriodic(() => {
      calls++;
      if (calls === 2) throw new Error('flaky');
      return calls;
    }, { interval: 10 });
    const failures = source.errors.sinkToList();
    const out = source.sinkToList();
    void source.start();
    await jest.advanceTimersByTimeAsync(25);
    await source.stop();
    expect(out).toEqual([1, 3]);
    expect(failures.map((failure) => String(failure.error))).toEqual(['Error: flaky']);
  });

  test('bad arguments', () => {
    expect(() => Stream.fromPeriodic(42 as unknown as () => number)).toThrow(ArgumentTypeError);
    expect(() => Stream.fromPeriodic(() => 1, { interval: -1 })).toThrow(ArgumentRangeError);
  });
});
