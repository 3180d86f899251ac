import { ArgumentRangeError, ArgumentTypeError, Stream } from '../../src';
import { asyncSinkToList } from '../support/async-sink-to-list';
import { runPipeline } from '../support/run-pipeline';

function windowsOf(n: number, count: number, returnPartial?: boolean): number[][] {
  return runPipeline(Array.from({ length: count }, (_, i) => i), (source: Stream<number>) => source.slidingWindow(n, returnPartial === undefined ? undefined : { returnPartial }));
}

describe('slidingWindow', () => {
  test('test_sliding_window: n=2 on 0..9, with and without partial windows', () => {
    const full = Array.from({ length: 9 }, (_, i) => [i, i + 1]);
    expect(windowsOf(2, 10)).toEqual([[0], ...full]);
    expect(windowsOf(2, 10, false)).toEqual(full);
  });

  test('n=3 on 0..4 grows, then slides; returnPartial false emits only full windows', () => {
    expect(windowsOf(3, 5)).toEqual([[0], [0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 4]]);
    expect(windowsOf(3, 5, false)).toEqual([
      [0, 1, 2],
      [1, 2, 3],
      [2, 3, 4],
    ]);
  });

  test('each window is a new array that later elements do not change', () => {
    const out = windowsOf(2, 3);
    expect(out[1]).toEqual([0, 1]);
    expect(out[1]).not.toBe(out[2]);
  });

  test('n=1 emits single-element windows', () => {
    expect(windowsOf(1, 3)).toEqual([[0], [1], [2]]);
  });

  test('emit returns the downstream promise for every emitted window', async () => {
    const source = new Stream<number>();
    const written = asyncSinkToList(source.slidingWindow(2, { returnPartial: false }));
    expect(source.emit(0)).toBeUndefined();
    await source.emit(1);
    expect(written).toEqual([[0, 1]]);
  });

  test("toString is '<slidingWindow: 3>'", () => {
    expect(String(new Stream().slidingWindow(3))).toBe('<slidingWindow: 3>');
  });

  test('bad arguments throw errors naming the argument', () => {
    const source = new Stream<number>();
    expect(() => source.slidingWindow(-1)).toThrow(ArgumentRangeError);
    expect(() => source.slidingWindow(-1)).toThrow('n must be an integer >= 1, got -1');
    expect(() => source.slidingWindow(0)).toThrow(ArgumentRangeError);
    expect(() => source.slidingWindow(undefined as unknown as number)).toThrow(ArgumentTypeError);
    expect(() => source.slidingWindow(2, 7 as never)).toThrow(/^options must be an object/);
    expect(source.downstreams).toEqual([]);
  });
});
