import { ArgumentRangeError, ArgumentTypeError, Stream, type Scheduler } from '../../src';
import { emitTimes } from '../support/emit-times';
import { trackSettled } from '../support/track-settled';

describe('rateLimit', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('test_rate_limit: rateLimit(50), 5 awaited emits complete at 0, 50, 100, 150, 200', async () => {
    const source = new Stream<number>();
    const out = source.rateLimit(50).sinkToList();
    const times = emitTimes(source, 5);
    await jest.advanceTimersByTimeAsync(200);
    expect(await times).toEqual([0, 50, 100, 150, 200]);
    expect(out).toEqual([0, 1, 2, 3, 4]);
  });

  test('the first element passes at once and synchronously; so does one after a quiet interval', async () => {
    const source = new Stream<number>();
    const out = source.rateLimit(50).sinkToList();
    expect(source.emit(1)).toBeUndefined();
    expect(out).toEqual([1]);
    await jest.advanceTimersByTimeAsync(50);
    expect(source.emit(2)).toBeUndefined();
    expect(out).toEqual([1, 2]);
  });

  test('emits that do not wait are still paced, in order', async () => {
    const source = new Stream<number>();
    const limited = source.rateLimit(30);
    const out = limited.sinkToList();
    for (let i = 0; i < 4; i++) void source.emit(i);
    expect(out).toEqual([0]);
    expect(limited.state).toBe('paused');
    await jest.advanceTimersByTimeAsync(30);
    expect(out).toEqual([0, 1]);
    await jest.advanceTimersByTimeAsync(60);
    expect(out).toEqual([0, 1, 2, 3]);
  });

  test('a downstream failure of a delayed element rejects its emit; later elements still pass', async () => {
    const source = new Stream<number>();
    const out = source
      .rateLimit(10)
      .map((x) => {
        if (x === 1) throw new Error('one');
        return x;
      })
      .sinkToList();
    source.emit(0);
    const failing = source.emit(1);
    const later = source.emit(2);
    const rejected = expect(failing).rejects.toThrow('one');
    await jest.advanceTimersByTimeAsync(20);
    await rejected;
    await later;
    expect(out).toEqual([0, 2]);
  });

  test('drain waits for elements waiting for their slot', async () => {
    const source = new Stream<number>();
    const out = source.rateLimit(100).sinkToList();
    void source.emit(0);
    void source.emit(1);
    const drain = trackSettled(source.drain());
    await jest.advanceTimersByTimeAsync(99);
    expect(drain.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await drain.done;
    expect(out).toEqual([0, 1]);
  });

  test('an injected scheduler is the clock', () => {
    const timers: Array<() => void> = [];
    let now = 1000;
    const scheduler: Scheduler = {
      now: () => now,
      setTimeout: (callback) => timers.push(callback),
      clearTimeout: () => undefined,
    };
    const source = new Stream<number>();
    const out = source.rateLimit(500, { scheduler }).sinkToList();
    source.emit(0);
    void source.emit(1);
    expect(timers).toHaveLength(1);
    now = 1500;
    source.emit(2);
    expect(timers).toHaveLength(2);
    expect(out).toEqual([0]);
  });

  test('bad arguments name interval; toString', () => {
    const source = new Stream<number>();
    expect(() => source.rateLimit(-1)).toThrow(ArgumentRangeError);
    expect(() => source.rateLimit('5' as unknown as number)).toThrow(ArgumentTypeError);
    expect(() => source.rateLimit(Number.NaN)).toThrow(/^interval must be/);
    expect(source.downstreams).toEqual([]);
    expect(String(source.rateLimit(500))).toBe('<rateLimit: 500>');
  });
});
