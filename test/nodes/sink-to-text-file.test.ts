import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentTypeError, Stream } from '../../src';
import { useTempDir } from '../support/temp-dir';

describe('sinkToTextFile', () => {
  const tempDir = useTempDir();

  test('sink_to_textfile_named: map(String) of 0, 1 writes "0\\n1\\n"; drain() waits for the writes', async () => {
    const path = join(tempDir(), 'out.txt');
    const source = new Stream<number>();
    source.map(String).sinkToTextFile(path);
    await source.emit(0);
    await source.emit(1);
    await source.drain();
    expect(readFileSync(path, 'utf8')).toBe('0\n1\n');
  });

  test('appends by default; flags "w" truncates; end is configurable; Buffers are written as is', async () => {
    const path = join(tempDir(), 'log.txt');
    writeFileSync(path, 'old\n');
    const source = new Stream<string | Buffer>();
    source.sinkToTextFile(path);
    await source.emit('new');
    await source.emit(Buffer.from('bytes'));
    await source.drain();
    expect(readFileSync(path, 'utf8')).toBe('old\nnew\nbytes\n');

    const fresh = new Stream<string>();
    fresh.sinkToTextFile(path, { flags: 'w', end: ';' });
    await fresh.emit('a');
    await fresh.emit('b');
    await fresh.drain();
    expect(readFileSync(path, 'utf8')).toBe('a;b;');
  });

  test('sink_to_textfile_closes: destroy() closes the file', async () => {
    const path = join(tempDir(), 'closed.txt');
    const source = new Stream<string>();
    const sink = source.sinkToTextFile(path);
    await source.emit('last');
    sink.destroy();
    await once(sink.writable, 'close');
    expect(sink.writable.closed).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('last\n');
    expect(source.downstreams).toEqual([]);
  });

  test('a non-string element throws from emit; a bad path throws when the node is built', () => {
    const source = new Stream<unknown>();
    source.sinkToTextFile(join(tempDir(), 'typed.txt'));
    expect(() => source.emit(42)).toThrow(ArgumentTypeError);
    expect(() => source.sinkToTextFile(join(tempDir(), 'no-such-dir', 'x.txt'))).toThrow(/ENOENT/);
    expect(() => source.sinkToTextFile(7 as unknown as string)).toThrow(ArgumentTypeError);
  });

  test('toString', () => {
    const path = join(tempDir(), 'name.txt');
    expect(String(new Stream<string>().sinkToTextFile(path))).toBe(`<sinkToTextFile: ${path}>`);
  });
});
