import { ArgumentRangeError, ArgumentTypeError, PipelineError, Stream } from '../../src';
import { sleep } from '../support/sleep';
import { trackSettled } from '../support/track-settled';

describe('delay', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('test_delay: delay(20), 5 emits: none at once, fewer than 5 after 40 ms, all after 140 ms', async () => {
    const source = new Stream<number>();
    const out = source.delay(20).sinkToList();
    for (let i = 0; i < 5; i++) expect(source.emit(i)).toBeUndefined();
    expect(out).toEqual([]);
    await jest.advanceTimersByTimeAsync(40);
    expect(out).toEqual([0, 1]);
    await jest.advanceTimersByTimeAsync(100);
    expect(out).toEqual([0, 1, 2, 3, 4]);
  });

  test('each element leaves interval ms after it arrived, paced interval ms apart', async () => {
    const source = new Stream<number>();
    const start = performance.now();
    const times: Array<[number, number]> = [];
    source.delay(100).sink((x) => times.push([x, performance.now() - start]));
    source.emit(0);
    await jest.advanceTimersByTimeAsync(30);
    source.emit(1);
    await jest.advanceTimersByTimeAsync(170);
    source.emit(2);
    source.emit(3);
    await jest.advanceTimersByTimeAsync(500);
    expect(times).toEqual([
      [0, 100],
      [1, 200],
      [2, 300],
      [3, 400],
    ]);
  });

  test('an async downstream is waited for before the next element', async () => {
    const source = new Stream<number>();
    const start = performance.now();
    const times: Array<[number, number]> = [];
    source.delay(10).sink(async (x) => {
      times.push([x, performance.now() - start]);
      await sleep(50);
    });
    source.emit(0);
    source.emit(1);
    await jest.advanceTimersByTimeAsync(200);
    expect(times).toEqual([
      [0, 10],
      [1, 60],
    ]);
  });

  test('test_map_errors_log: a failure downstream goes to errors and later elements still flow', async () => {
    const source = new Stream<number>();
    const failures: PipelineError[] = [];
    source.errors.sink((failure) => failures.push(failure));
    const out = source
      .delay(1)
      .map((x) => {
        if (x === 0) throw new RangeError('division by zero');
        return 1 / x;
      })
      .sinkToList();
    source.emit(0);
    source.emit(2);
    await jest.advanceTimersByTimeAsync(10);
    expect(out).toEqual([0.5]);
    expect(failures).toHaveLength(1);
    expect(failures[0].node).toBe('<delay: 1>');
    expect(failures[0].element).toBe(0);
    expect(failures[0].error).toBeInstanceOf(RangeError);
  });

  test('drain waits for delayed elements; paused while holding them', async () => {
    const source = new Stream<number>();
    const delayed = source.delay(50);
    const out = delayed.sinkToList();
    source.emit(1);
    source.emit(2);
    expect(delayed.state).toBe('paused');
    const drain = trackSettled(source.drain());
    await jest.advanceTimersByTimeAsync(99);
    expect(drain.settled).toBe(false);
    expect(out).toEqual([1]);
    await jest.advanceTimersByTimeAsync(1);
    await drain.done;
    expect(out).toEqual([1, 2]);
    await jest.advanceTimersByTimeAsync(1);
    expect(delayed.state).toBe('running');
  });

  test('bad arguments name interval; toString', () => {
    const source = new Stream<number>();
    expect(() => source.delay(-5)).toThrow(ArgumentRangeError);
    expect(() => source.delay(null as unknown as number)).toThrow(ArgumentTypeError);
    expect(() => source.delay(Number.POSITIVE_INFINITY)).toThrow(/^interval must be/);
    expect(source.downstreams).toEqual([]);
    expect(String(source.delay(500))).toBe('<delay: 500>');
  });
});
