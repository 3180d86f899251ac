import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWorkerArgs } from '../../src/cli/worker-args';
import { UsageError } from '../../src/cli/usage';
import { useTempDir } from '../support/temp-dir';

const BASE = ['--servers', 'nats://127.0.0.1:4222', '--tasks', 't.js'];

describe('rivulet worker --secret-file / RIVULET_SECRET', () => {
  const dir = useTempDir();

  test('the file gives the secret without its trailing line break, and wins over the environment', () => {
    const file = join(dir(), 'secret');
    writeFileSync(file, '0123456789abcdef0123\r\n');
    const { secret } = parseWorkerArgs([...BASE, '--secret-file', file], { RIVULET_SECRET: 'the environment secret' });
    expect(Buffer.from(secret as Uint8Array).toString()).toBe('0123456789abcdef0123');
  });

  test('without the option the environment gives it; without either there is none', () => {
    expect(parseWorkerArgs(BASE, { RIVULET_SECRET: 'the environment secret' }).secret).toBe('the environment secret');
    expect(parseWorkerArgs(BASE, {}).secret).toBeUndefined();
  });

  test('a short secret or an unreadable file is a usage error naming its source, never showing the secret', () => {
    const file = join(dir(), 'short');
    writeFileSync(file, 'short\n');
    expect(() => parseWorkerArgs([...BASE, '--secret-file', file], {})).toThrow(UsageError);
    expect(() => parseWorkerArgs([...BASE, '--secret-file', file], {})).toThrow(`rivulet worker: the secret in --secret-file ${file} must be at least 16 bytes, got 5`);
    expect(() => parseWorkerArgs(BASE, { RIVULET_SECRET: 'tiny' })).toThrow('the secret in RIVULET_SECRET must be at least 16 bytes, got 4');
    expect(() => parseWorkerArgs([...BASE, '--secret-file', join(dir(), 'missing')], {})).toThrow(/cannot read --secret-file .*missing: ENOENT/);
  });

  test('the usage names the option', () => {
    expect(() => parseWorkerArgs(['--help'], {})).toThrow(/--secret-file PATH/);
  });
});
