import { ArgumentRangeError, ArgumentTypeError, PipelineError, Stream, type Scheduler } from '../../src';
import { sleep } from '../support/sleep';
import { trackSettled } from '../support/track-settled';

describe('timedWindow', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('test_timed_window: timedWindow(10), emits 0..9 every 4 ms', async () => {
    const source = new Stream<number>();
    const windows = source.timedWindow(10).sinkToList();
    for (let i = 0; i < 10; i++) {
      await source.emit(i);
      await jest.advanceTimersByTimeAsync(4);
    }
    expect(windows).toEqual([[0, 1, 2], [3, 4], [5, 6, 7], [8, 9]]);
    await jest.advanceTimersByTimeAsync(60);
    expect(windows.slice(4)).toEqual([[], [], [], [], [], []]);
    expect(windows.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('emits empty windows too, every interval from construction', async () => {
    const source = new Stream<number>();
    const windows = source.timedWindow(50).sinkToList();
    await jest.advanceTimersByTimeAsync(60);
    source.emit(1);
    await jest.advanceTimersByTimeAsync(90);
    expect(windows).toEqual([[], [1], []]);
  });

  test('emit into an open window is synchronous while the previous window was accepted', () => {
    const source = new Stream<number>();
    source.timedWindow(50).sinkToList();
    expect(source.emit(1)).toBeUndefined();
    expect(source.emit(2)).toBeUndefined();
  });

  test('test_timed_window_backpressure: a 100 ms downstream makes 5 emits 10 ms apart take 440 ms', async () => {
    const source = new Stream<number>();
    const received: number[][] = [];
    source.timedWindow(10).sink(async (window) => {
      received.push(window);
      await sleep(100);
    });
    const start = performance.now();
    const times: number[] = [];
    const run = (async () => {
      for (let i = 0; i < 5; i++) {
        await source.emit(i);
        times.push(performance.now() - start);
        await sleep(10);
      }
    })();
    await jest.advanceTimersByTimeAsync(500);
    await run;
    expect(times).toEqual([0, 110, 220, 330, 440]);
    expect(received.slice(0, 4)).toEqual([[0], [1], [2], [3]]);
  });

  test('a failing downstream goes to errors and the next windows still flow', async () => {
    const source = new Stream<number>();
    const failures: PipelineError[] = [];
    source.errors.sink((failure) => failures.push(failure));
    const windows = source
      .timedWindow(10)
      .map((window) => {
        if (window.includes(13)) throw new Error('unlucky');
        return window;
      })
      .sinkToList();
    source.emit(13);
    await jest.advanceTimersByTimeAsync(10);
    source.emit(14);
    await jest.advanceTimersByTimeAsync(10);
    expect(windows).toEqual([[14]]);
    expect(failures).toHaveLength(1);
    expect(failures[0].node).toBe('<timedWindow: 10>');
    expect(failures[0].element).toEqual([13]);
  });

  test('drain waits for the open window; paused while it holds elements', async () => {
    const source = new Stream<number>();
    const timed = source.timedWindow(100);
    const windows = timed.sinkToList();
    await jest.advanceTimersByTimeAsync(100);
    expect(timed.state).toBe('running');
    source.emit(1);
    expect(timed.state).toBe('paused');
    const drain = trackSettled(source.drain());
    await jest.advanceTimersByTimeAsync(99);
    expect(drain.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await drain.done;
    expect(windows).toEqual([[], [1]]);
    await jest.advanceTimersByTimeAsync(1);
    expect(timed.state).toBe('running');
  });

  test('destroy stops the timer and lets drain finish', async () => {
    const source = new Stream<number>();
    const timed = source.timedWindow(10);
    const windows = timed.sinkToList();
    source.emit(1);
    timed.destroy();
    await source.drain();
    await jest.advanceTimersByTimeAsync(50);
    expect(windows).toEqual([]);
    expect(timed.state).toBe('stopped');
  });

  test('the timer keeps the process alive only while the window holds elements', () => {
    const handles: Array<{ ref: jest.Mock; unref: jest.Mock; fire: () => void }> = [];
    const scheduler: Scheduler = {
      now: () => 0,
      setTimeout: (fire) => {
        const handle = { ref: jest.fn(), unref: jest.fn(), fire };
        handles.push(handle);
        return handle;
      },
      clearTimeout: () => undefined,
    };
    const source = new Stream<number>();
    const windows = source.timedWindow(10, { scheduler }).sinkToList();
    expect(handles[0].unref).toHaveBeenCalled();
    source.emit(1);
    expect(handles[0].ref).toHaveBeenCalled();
    handles[0].fire();
    expect(windows).toEqual([[1]]);
    expect(handles[1].unref).toHaveBeenCalled();
    expect(handles[1].ref).not.toHaveBeenCalled();
  });

  test('bad arguments name interval; toString', () => {
    const source = new Stream<number>();
    expect(() => source.timedWindow(0)).toThrow(ArgumentRangeError);
    expect(() => source.timedWindow(-10)).toThrow(ArgumentRangeError);
    expect(() => source.timedWindow('10ms' as unknown as number)).toThrow(ArgumentTypeError);
    expect(() => source.timedWindow(0)).toThrow(/^interval must be/);
    expect(source.downstreams).toEqual([]);
    expect(String(source.timedWindow(50))).toBe('<timedWindow: 50>');
  });
});
