import { ArgumentRangeError, ArgumentTypeError, Stream } from '../../src';
import { sleep } from '../support/sleep';

type Keep = 'first' | 'last';

describe('timedWindowUnique', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const bar = { id: 0, foo: 'bar' };
  const bat = { id: 1, foo: 'bat' };
  const baz = { id: 0, foo: 'baz' };
  const strings = ['f', 'fo', 'f', 'foo', 'f', 'foo', 'foo', 'fo'];
  const length = (x: string): number => x.length;

  test.each<[string, ((x: never) => unknown) | string | undefined, Keep, unknown[], unknown[]]>([
    ['identity, first', undefined, 'first', [1, 2, 1, 3, 1, 3, 3, 2], [1, 2, 3]],
    ['identity, last', undefined, 'last', [1, 2, 1, 3, 1, 3, 3, 2], [1, 3, 2]],
    ['len, last', length, 'last', strings, ['f', 'foo', 'fo']],
    ['"id", first', 'id', 'first', [bar, bat, baz], [bar, bat]],
    ['"id", last', 'id', 'last', [bar, bat, baz], [bat, baz]],
  ])('test_timed_window_unique (%s)', async (_name, key, keep, input, expected) => {
    const source = new Stream<unknown>();
    const windows = source.timedWindowUnique(50, { key: key as never, keep }).sinkToList();
    for (const x of input) await source.emit(x);
    await jest.advanceTimersByTimeAsync(50);
    expect(windows).toEqual([expected]);
    await jest.advanceTimersByTimeAsync(50);
    expect(windows).toEqual([expected, []]);
  });

  test('back pressure: emit waits for the previous window to be accepted downstream', async () => {
    const source = new Stream<number>();
    source.timedWindowUnique(10).sink(() => sleep(100));
    source.emit(1);
    await jest.advanceTimersByTimeAsync(10);
    const waiting = source.emit(2);
    expect(waiting).toBeInstanceOf(Promise);
  });

  test('a key missing in an element throws from emit and the window keeps working', async () => {
    const source = new Stream<Record<string, number>>();
    const windows = source.timedWindowUnique(10, { key: 'id' }).sinkToList();
    expect(() => source.emit({ other: 1 })).toThrow('missing');
    source.emit({ id: 2 });
    await jest.advanceTimersByTimeAsync(10);
    expect(windows).toEqual([[{ id: 2 }]]);
  });

  test('bad arguments name the argument; toString', () => {
    const source = new Stream<number>();
    expect(() => source.timedWindowUnique(0)).toThrow(ArgumentRangeError);
    expect(() => source.timedWindowUnique(10, { keep: 'middle' as Keep })).toThrow(/^keep must be/);
    expect(() => source.timedWindowUnique(10, { key: {} as never })).toThrow(ArgumentTypeError);
    expect(() => source.timedWindowUnique(10, 5 as never)).toThrow(/^options must be/);
    expect(source.downstreams).toEqual([]);
    expect(String(source.timedWindowUnique(50))).toBe('<timedWindowUnique: 50>');
  });
});
