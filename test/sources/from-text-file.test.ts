import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentTypeError, PipelineError, Stream } from '../../src';
import { useTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

describe('Stream.fromTextFile', () => {
  const tempDir = useTempDir();

  test('from_file: nothing before start, then each line, then appended lines', async () => {
    const path = join(tempDir(), 'data.jsonl');
    writeFileSync(path, '{"x": 1}\n{"x": 2}\n{"x": 3}\n');
    const source = Stream.fromTextFile(path, { interval: 5 });
    const out = source.map((line) => JSON.parse(line) as { x: number }).map((record) => record.x).sinkToList();
    expect(out).toEqual([]);
    await source.start();
    await waitFor(() => out.length === 3, 2000, 'the first three lines');
    expect(out).toEqual([1, 2, 3]);
    appendFileSync(path, '{"x": 4}\n{"x": 5}\n');
    await waitFor(() => out.length === 5, 2000, 'the appended lines');
    expect(out).toEqual([1, 2, 3, 4, 5]);
    await source.stop();
  });

  test('emits complete parts with the delimiter and keeps the remainder until it completes', async () => {
    const path = join(tempDir(), 'parts.txt');
    writeFileSync(path, 'a;b;par');
    const source = Stream.fromTextFile(path, { interval: 5, delimiter: ';', start: true });
    const out = source.sinkToList();
    await waitFor(() => out.length === 2, 2000, 'two parts');
    appendFileSync(path, 'tial;');
    await waitFor(() => out.length === 3, 2000, 'the completed part');
    expect(out).toEqual(['a;', 'b;', 'partial;']);
    await source.stop();
  });

  test('from_file_end: fromEnd skips what the file held at start', async () => {
    const path = join(tempDir(), 'log.txt');
    writeFileSync(path, 'data1\n');
    const source = Stream.fromTextFile(path, { interval: 5, fromEnd: true });
    const out = source.sinkToList();
    await source.start();
    appendFileSync(path, 'data2\n');
    await waitFor(() => out.length === 1, 2000, 'the new line');
    expect(out).toEqual(['data2\n']);
    await source.stop();
  });

  test('a multi-byte character split across reads is decoded whole', async () => {
    const path = join(tempDir(), 'utf8.txt');
    const euro = Buffer.from('€');
    writeFileSync(path, euro.subarray(0, 1));
    const source = Stream.fromTextFile(path, { interval: 5, start: true });
    const out = source.sinkToList();
    await source.drain();
    appendFileSync(path, Buffer.concat([euro.subarray(1), Buffer.from('\n')]));
    await waitFor(() => out.length === 1, 2000, 'the line');
    expect(out).toEqual(['€\n']);
    await source.stop();
  });

  test('a truncated or replaced file is followed from its top', async () => {
    const path = join(tempDir(), 'rotating.log');
    writeFileSync(path, 'first line of a long file\n');
    const source = Stream.fromTextFile(path, { interval: 5, start: true });
    const out = source.sinkToList();
    await waitFor(() => out.length === 1, 2000, 'the first line');
    writeFileSync(path, 'new\n');
    await waitFor(() => out.length === 2, 2000, 'the line of the new file');
    expect(out).toEqual(['first line of a long file\n', 'new\n']);
    await source.stop();
  });

  test('a missing file fails start() and goes to errors', async () => {
    const path = join(tempDir(), 'missing.txt');
    const source = Stream.fromTextFile(path);
    const failures = source.errors.sinkToList();
    await expect(source.start()).rejects.toThrow(/ENOENT.*missing\.txt/);
    expect(source.state).toBe('failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(PipelineError);
    expect(failures[0].message).toContain('missing.txt');
  });

  test('toString and bad arguments', () => {
    expect(String(Stream.fromTextFile('/tmp/x.log'))).toBe('<fromTextFile: /tmp/x.log>');
    expect(() => Stream.fromTextFile(7 as unknown as string)).toThrow(ArgumentTypeError);
    expect(() => Stream.fromTextFile('/tmp/x.log', { delimiter: '' })).toThrow(/delimiter must be a non-empty string/);
  });
});
