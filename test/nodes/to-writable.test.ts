import { Writable } from 'node:stream';
import { ArgumentTypeError, Stream } from '../../src';
import { countingReadable } from '../support/counting-readable';
import { isPending } from '../support/is-pending';
import { waitFor } from '../support/wait-for';

/**
 * A writable with a one-chunk buffer that completes each write only when `complete()` is called;
 * after `open()` it completes every write at once.
 */
function slowWritable(): { writable: Writable; written: unknown[]; complete: () => void; open: () => void } {
  const written: unknown[] = [];
  const callbacks: Array<() => void> = [];
  let opened = false;
  const writable = new Writable({
    objectMode: true,
    highWaterMark: 1,
    write(chunk, _encoding, callback) {
      written.push(chunk);
      if (opened) callback();
      else callbacks.push(callback);
    },
  });
  const complete = (): void => callbacks.shift()?.();
  const open = (): void => {
    opened = true;
    while (callbacks.length > 0) complete();
  };
  return { writable, written, complete, open };
}

describe('toWritable', () => {
  test('writes each element; emit waits for drain when the writable is full', async () => {
    const { writable, written, complete } = slowWritable();
    const source = new Stream<number>();
    source.toWritable(writable);
    const first = source.emit(1);
    expect(first).toBeInstanceOf(Promise);
    expect(await isPending(first as Promise<void>)).toBe(true);
    expect(written).toEqual([1]);
    complete();
    await first;
    const second = source.emit(2);
    complete();
    await second;
    await source.drain();
    expect(written).toEqual([1, 2]);
  });

  test('piping a Readable through a pipeline into a Writable keeps back pressure both ways', async () => {
    const { readable, reads } = countingReadable(50, 1);
    const { writable, written, open } = slowWritable();
    const source = Stream.fromReadable<number>(readable);
    source.map((x) => x * 2).toWritable(writable);
    void source.start();
    await waitFor(() => written.length === 1, 2000, 'the first write');
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(reads()).toBeLessThanOrEqual(3);
    open();
    await waitFor(() => source.state === 'finished', 2000, 'the end of the readable');
    await source.drain();
    expect(written).toEqual(Array.from({ length: 50 }, (_, i) => (i + 1) * 2));
  });

  test('destroy() ends the writable unless end: false; write errors go to errors', async () => {
    const ended = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const kept = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const source = new Stream<string>();
    const first = source.toWritable(ended);
    const second = source.toWritable(kept, { end: false });
    first.destroy();
    second.destroy();
    expect(ended.writableEnded).toBe(true);
    expect(kept.writableEnded).toBe(false);

    const failing = new Writable({ write: (_chunk, _encoding, callback) => callback(new Error('disk full')) });
    const other = new Stream<string>();
    const failures = other.errors.sinkToList();
    other.toWritable(failing);
    await other.emit('x');
    await waitFor(() => failures.length === 1, 2000, 'the write error');
    expect(String(failures[0].error)).toBe('Error: disk full');
    expect(() => other.emit('y')).toThrow(/the writable is closed/);
  });

  test('toString and bad arguments', () => {
    const source = new Stream<number>();
    expect(String(source.toWritable(new Writable()))).toBe('<toWritable>');
    expect(() => source.toWritable({} as Writable)).toThrow(ArgumentTypeError);
  });
});
