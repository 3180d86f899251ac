import { ArgumentRangeError, ArgumentTypeError, Stream } from '../../src';
import { runPipeline } from '../support/run-pipeline';

function sliceOf(start?: number | null, end?: number | null, step?: number | null, count = 6): number[] {
  return runPipeline(Array.from({ length: count }, (_, i) => i), (source: Stream<number>) => source.slice(start, end, step));
}

describe('slice', () => {
  test.each([
    [[], [0, 1, 2, 3, 4, 5]],
    [[null, null, null], [0, 1, 2, 3, 4, 5]],
    [[1, null, null], [1, 2, 3, 4, 5]],
    [[null, 4, null], [0, 1, 2, 3]],
    [[null, 4, 2], [0, 2]],
    [[3, 1, null], []],
  ])('test_slice: slice(%j) on 0..5', (args, expected) => {
    expect(sliceOf(...(args as [number?, number?, number?]))).toEqual(expected);
  });

  test('step applies to the absolute index, as in streamz: slice(1, null, 2) on 0..7 keeps 2, 4, 6', () => {
    expect(sliceOf(1, null, 2, 8)).toEqual([2, 4, 6]);
  });

  test('stops emitting after end, whatever arrives later', () => {
    const source = new Stream<string>();
    const out = source.slice(1, 3).sinkToList();
    for (const x of ['a', 'b', 'c', 'd', 'e']) source.emit(x);
    expect(out).toEqual(['b', 'c']);
  });

  test('end 0 emits nothing', () => {
    expect(sliceOf(0, 0)).toEqual([]);
  });

  test('test_slice_err: negative values throw ArgumentRangeError naming the argument', () => {
    const source = new Stream<number>();
    expect(() => source.slice(null, -1)).toThrow(ArgumentRangeError);
    expect(() => source.slice(null, -1)).toThrow(/^end must be an integer >= 0, got -1/);
    expect(() => source.slice(-2)).toThrow(/^start must be an integer >= 0/);
    expect(() => source.slice(0, 5, -1)).toThrow(/^step must be an integer >= 1/);
    expect(() => source.slice(0, 5, 0)).toThrow(/^step must be an integer >= 1/);
    expect(() => source.slice(1.5)).toThrow(ArgumentRangeError);
    expect(() => source.slice('1' as unknown as number)).toThrow(ArgumentTypeError);
    expect(source.downstreams).toEqual([]);
  });

  test('toString shows the bounds like Python slice notation', () => {
    const source = new Stream<number>();
    expect(String(source.slice())).toBe('<slice: 0:>');
    expect(String(source.slice(1, 4, 2))).toBe('<slice: 1:4:2>');
  });
});
