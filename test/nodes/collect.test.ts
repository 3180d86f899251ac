import { Stream } from '../../src';
import { asyncSinkToList } from '../support/async-sink-to-list';
import { isPending } from '../support/is-pending';

describe('collect', () => {
  test('test_collect: flushed from another stream through sink(collector.flush)', () => {
    const source1 = new Stream<number>();
    const source2 = new Stream<string>();
    const collector = source1.collect();
    const out = collector.sinkToList();
    source2.sink(collector.flush);

    source1.emit(1);
    source1.emit(2);
    expect(out).toEqual([]);
    source2.emit('anything');
    expect(out).toEqual([[1, 2]]);
    source2.emit('anything');
    expect(out).toEqual([[1, 2], []]);
    source1.emit(3);
    expect(out).toEqual([[1, 2], []]);
    collector.flush();
    expect(out).toEqual([[1, 2], [], [3]]);
  });

  test('flush of an empty collector emits an empty array', () => {
    const collector = new Stream<number>().collect();
    const out = collector.sinkToList();
    collector.flush();
    expect(out).toEqual([[]]);
  });

  test('each flush emits a new array that later elements do not change', () => {
    const source = new Stream<number>();
    const collector = source.collect();
    const out = collector.sinkToList();
    source.emit(1);
    collector.flush();
    source.emit(2);
    collector.flush();
    expect(out).toEqual([[1], [2]]);
  });

  test('flush returns the downstream promise so a caller can await it', async () => {
    const source = new Stream<number>();
    const collector = source.collect();
    const written = asyncSinkToList(collector);
    expect(source.emit(1)).toBeUndefined();
    const pending = collector.flush();
    expect(pending).toBeInstanceOf(Promise);
    expect(written).toEqual([]);
    await pending;
    expect(written).toEqual([[1]]);
  });

  test('kept elements do not hold drain()', async () => {
    const source = new Stream<number>();
    source.collect().sinkToList();
    source.emit(1);
    expect(await isPending(source.drain())).toBe(false);
  });

  test('a downstream error during flush throws from flush and the kept elements are gone', () => {
    const source = new Stream<number>();
    const collector = source.collect();
    collector.sink(() => {
      throw new Error('sink failed');
    });
    source.emit(1);
    expect(() => collector.flush()).toThrow('sink failed');
    const out = collector.sinkToList();
    expect(out).toEqual([]);
  });

  test('toString', () => {
    expect(String(new Stream().collect())).toBe('<collect>');
  });
});
