import { PassThrough, Readable } from 'node:stream';
import { ArgumentTypeError, Stream } from '../../src';
import { countingReadable } from '../support/counting-readable';
import { waitFor } from '../support/wait-for';

describe('Stream.fromReadable', () => {
  test('emits each chunk and finishes at the end of the readable', async () => {
    const source = Stream.fromReadable<string>(Readable.from(['a', 'b', 'c']), { start: true });
    const out = source.sinkToList();
    await waitFor(() => source.state === 'finished', 2000, 'the end of the readable');
    expect(out).toEqual(['a', 'b', 'c']);
    expect(String(source)).toBe('<fromReadable>');
  });

  test('a busy downstream leaves the readable paused: it reads no further than its buffer', async () => {
    const { readable, reads } = countingReadable(100, 2);
    const source = Stream.fromReadable<number>(readable);
    const seen: number[] = [];
    let release: () => void = () => undefined;
    source.sink((x: number) => {
      seen.push(x);
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    void source.start();
    await waitFor(() => seen.length === 1, 2000, 'the first chunk');
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(reads()).toBeLessThanOrEqual(4);
    expect(readable.readableFlowing).not.toBe(true);
    release();
    await waitFor(() => seen.length === 2, 2000, 'the second chunk');
    await source.stop();
    release();
    await source.drain();
    expect(seen).toEqual([1, 2]);
    expect(reads()).toBeLessThanOrEqual(5);
  });

  test('drain() waits for input while running, but not after stop()', async () => {
    const readable = new PassThrough();
    const source = Stream.fromReadable(readable, { start: true });
    const out = source.sinkToList();
    let drained = false;
    const draining = source.drain().then(() => {
      drained = true;
    });
    readable.write('x');
    await waitFor(() => out.length === 1, 2000, 'the chunk');
    expect(drained).toBe(false);
    await source.stop();
    await draining;
    expect(source.state).toBe('stopped');
    readable.write('y');
    void source.start();
    await waitFor(() => out.length === 2, 2000, 'the chunk written while stopped');
    expect(out.map(String)).toEqual(['x', 'y']);
    await source.stop();
  });

  test('a stream error fails the source and goes to errors', async () => {
    const readable = new PassThrough();
    const source = Stream.fromReadable(readable);
    const failures = source.errors.sinkToList();
    const out = source.sinkToList();
    await source.start();
    readable.write('x');
    await waitFor(() => out.length === 1, 2000, 'the first chunk');
    readable.destroy(new Error('disk on fire'));
    await waitFor(() => source.state === 'failed', 2000, 'the failure');
    expect(out.map(String)).toEqual(['x']);
    expect(failures.map((failure) => String(failure.error))).toEqual(['Error: disk on fire']);
  });

  test('a non-readable throws a TypeError', () => {
    expect(() => Stream.fromReadable([1, 2] as unknown as Readable)).toThrow(ArgumentTypeError);
  });
});
