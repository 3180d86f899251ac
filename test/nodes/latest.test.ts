import { PipelineError, Stream } from '../../src';
import { sleep } from '../support/sleep';
import { slowWriter } from '../support/slow-writer';
import { trackSettled } from '../support/track-settled';

function inc(x: number): number {
  return x + 1;
}

describe('latest', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('test_latest: map(inc).latest() before a 50 ms writer; emit 1, 10 ms later 2 and 3 => [2, 4]', async () => {
    const source = new Stream<number>();
    const { written, write } = slowWriter(50);
    source.map(inc).latest().sink(write);
    expect(source.emit(1)).toBeUndefined();
    await jest.advanceTimersByTimeAsync(10);
    expect(source.emit(2)).toBeUndefined();
    expect(source.emit(3)).toBeUndefined();
    await jest.advanceTimersByTimeAsync(40);
    expect(written).toEqual([2]);
    await jest.advanceTimersByTimeAsync(50);
    expect(written).toEqual([2, 4]);
    await jest.advanceTimersByTimeAsync(60);
    expect(written).toEqual([2, 4]);
  });

  test('never loses the newest element (streamz drops values arriving while the downstream is busy)', async () => {
    const source = new Stream<number>();
    const { written, write } = slowWriter(100);
    source.latest().sink(write);
    for (let i = 1; i <= 7; i++) source.emit(i);
    await jest.advanceTimersByTimeAsync(150);
    for (let i = 8; i <= 9; i++) source.emit(i);
    await jest.advanceTimersByTimeAsync(500);
    expect(written).toEqual([1, 7, 9]);
  });

  test('passes every element on when the downstream is synchronous', () => {
    const source = new Stream<number>();
    const out = source.latest().sinkToList();
    for (let i = 0; i < 4; i++) source.emit(i);
    expect(out).toEqual([0, 1, 2, 3]);
  });

  test('a failing downstream goes to errors and the newest element still follows', async () => {
    const source = new Stream<number>();
    const failures: PipelineError[] = [];
    source.errors.sink((failure) => failures.push(failure));
    const written: number[] = [];
    source.latest().sink(async (x) => {
      await sleep(10);
      if (x === 1) throw new Error('cannot write 1');
      written.push(x);
    });
    source.emit(1);
    source.emit(2);
    source.emit(3);
    await jest.advanceTimersByTimeAsync(30);
    expect(written).toEqual([3]);
    expect(failures.map((failure) => [failure.node, failure.element])).toEqual([['<latest>', 1]]);
  });

  test('drain waits for the newest pending element; paused while holding it', async () => {
    const source = new Stream<number>();
    const { written, write } = slowWriter(100);
    const latest = source.latest();
    latest.sink(write);
    source.emit(1);
    source.emit(2);
    expect(latest.state).toBe('paused');
    const drain = trackSettled(source.drain());
    await jest.advanceTimersByTimeAsync(199);
    expect(drain.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await drain.done;
    expect(written).toEqual([1, 2]);
    await jest.advanceTimersByTimeAsync(1);
    expect(latest.state).toBe('running');
  });

  test('toString is <latest>', () => {
    expect(String(new Stream().latest())).toBe('<latest>');
  });
});
