import { Stream } from '../../src';
import { isPending } from '../support/is-pending';

describe('asyncIterator', () => {
  test('emits not awaited wait in order, each pending until the loop takes its element', async () => {
    const source = new Stream<number>();
    const iterator = source[Symbol.asyncIterator]();
    const emits = [1, 2, 3].map((x) => source.emit(x) as Promise<void>);
    expect(await isPending(emits[0])).toBe(true);
    expect(await iterator.next()).toEqual({ value: 1, done: false });
    await emits[0];
    expect(await isPending(emits[1])).toBe(true);
    expect(await iterator.next()).toEqual({ value: 2, done: false });
    expect(await iterator.next()).toEqual({ value: 3, done: false });
    await Promise.all(emits);
  });

  test('return() releases every waiting emit and ends the loop', async () => {
    const source = new Stream<number>();
    const iterator = source[Symbol.asyncIterator]();
    const emits = [1, 2].map((x) => source.emit(x));
    await iterator.return?.();
    await Promise.all(emits);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(source.emit(3)).toBeUndefined();
  });
});
