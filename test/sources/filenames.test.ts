import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentTypeError, Stream } from '../../src';
import { useTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

describe('Stream.filenames', () => {
  const tempDir = useTempDir();

  test('filenames: a directory emits its entries sorted, then each new one once', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'b'), '');
    writeFileSync(join(dir, 'a'), '');
    const source = Stream.filenames(dir, { interval: 5 });
    const out = source.sinkToList();
    await source.start();
    await waitFor(() => out.length === 2, 2000, 'the first two files');
    expect(out).toEqual([`${dir}/a`, `${dir}/b`]);
    writeFileSync(join(dir, 'c'), '');
    await waitFor(() => out.length === 3, 2000, 'the new file');
    await source.drain();
    expect(out).toEqual([`${dir}/a`, `${dir}/b`, `${dir}/c`]);
    await source.stop();
    expect(String(source)).toBe(`<filenames: ${dir}/*>`);
  });

  test('a glob matches within segments and skips hidden files', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'logs'));
    for (const name of ['x.log', 'y.log', 'y.txt', '.hidden.log', 'z1.log', 'z2.log']) writeFileSync(join(dir, 'logs', name), '');
    const matched = async (pattern: string): Promise<string[]> => {
      const source = Stream.filenames(pattern, { start: true });
      const out = source.sinkToList();
      await source.start();
      await source.drain();
      await source.stop();
      return out.map((path) => path.slice(dir.length + 1));
    };
    expect(await matched(`${dir}/logs/*.log`)).toEqual(['logs/x.log', 'logs/y.log', 'logs/z1.log', 'logs/z2.log']);
    expect(await matched(`${dir}/*/z?.log`)).toEqual(['logs/z1.log', 'logs/z2.log']);
    expect(await matched(`${dir}/logs/[!xz]*`)).toEqual(['logs/y.log', 'logs/y.txt']);
    expect(await matched(`${dir}/logs/.*`)).toEqual(['logs/.hidden.log']);
    expect(await matched(`${dir}/nowhere/*`)).toEqual([]);
  });

  test('bad arguments', () => {
    expect(() => Stream.filenames(3 as unknown as string)).toThrow(ArgumentTypeError);
    expect(() => Stream.filenames('/tmp', { interval: Number.NaN })).toThrow(/interval must be a number/);
  });
});
