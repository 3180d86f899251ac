import { ArgumentRangeError, ArgumentTypeError, Stream } from '../../src';
import type { PartitionUniqueOptions } from '../../src/nodes/partition-unique';
import { asyncSinkToList } from '../support/async-sink-to-list';
import { runPipeline } from '../support/run-pipeline';

function partitionUniqueOf<T>(n: number, options: PartitionUniqueOptions<T>, inputs: T[]): T[][] {
  return runPipeline(inputs, (source: Stream<T>) => source.partitionUnique(n, options));
}

const records = [
  { id: 0, foo: 'bar' },
  { id: 0, foo: 'baz' },
  { id: 1, foo: 'bat' },
];

describe('partitionUnique', () => {
  test.each<[string, number, PartitionUniqueOptions<unknown>, unknown[], unknown[][]]>([
    ['identity, first', 3, { keep: 'first' }, [1, 2, 1, 3, 1, 3, 3, 2], [[1, 2, 3], [1, 3, 2]]],
    ['identity, last', 3, { keep: 'last' }, [1, 2, 1, 3, 1, 3, 3, 2], [[2, 1, 3], [1, 3, 2]]],
    ['len, last', 3, { key: (x: unknown) => (x as string).length, keep: 'last' }, ['f', 'fo', 'f', 'foo', 'f', 'foo', 'foo', 'fo'], [['fo', 'f', 'foo'], ['f', 'foo', 'fo']]],
    ["'id', first", 2, { key: 'id', keep: 'first' }, records, [[records[0], records[2]]]],
    ["'id', last", 2, { key: 'id', keep: 'last' }, records, [[records[1], records[2]]]],
  ])('test_partition_unique (%s)', (_name, n, options, inputs, expected) => {
    expect(partitionUniqueOf(n, options, inputs)).toEqual(expected);
  });

  test("keep defaults to 'first' and key to the element", () => {
    expect(partitionUniqueOf(2, {}, ['a', 'a', 'b', 'c', 'c', 'd'])).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  test('n = 1 emits every element alone', () => {
    expect(partitionUniqueOf(1, {}, [1, 1, 2])).toEqual([[1], [1], [2]]);
  });

  test('the emit that completes a group returns the downstream promise', async () => {
    const source = new Stream<number>();
    const written = asyncSinkToList(source.partitionUnique(2));
    expect(source.emit(1)).toBeUndefined();
    expect(source.emit(1)).toBeUndefined();
    await source.emit(2);
    expect(written).toEqual([[1, 2]]);
  });

  test('toString', () => {
    expect(String(new Stream().partitionUnique(3))).toBe('<partitionUnique: 3>');
  });

  test('bad arguments throw errors naming the argument', () => {
    const source = new Stream<number>();
    expect(() => source.partitionUnique(0)).toThrow(ArgumentRangeError);
    expect(() => source.partitionUnique(0)).toThrow(/^n must be an integer >= 1/);
    expect(() => source.partitionUnique(2, { keep: 'middle' as never })).toThrow(ArgumentRangeError);
    expect(() => source.partitionUnique(2, { keep: 'middle' as never })).toThrow(/^keep must be 'first' or 'last', got "middle"/);
    expect(() => source.partitionUnique(2, { keep: 1 as never })).toThrow(ArgumentTypeError);
    expect(() => source.partitionUnique(2, { key: [] as never })).toThrow(/^key must be a function/);
    expect(() => source.partitionUnique(2, null as never)).toThrow(/^options must be an object/);
    expect(source.downstreams).toEqual([]);
  });
});
