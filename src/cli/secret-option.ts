/**
 * The cluster secret on the command line: `--secret-file PATH` (its trailing line break is
 * dropped), else the `RIVULET_SECRET` environment variable. Never a flag value: command lines are
 * visible to every user of the machine.
 */
import { readFileSync } from 'node:fs';
import { MIN_SECRET_BYTES, type Secret } from '../distributed/message-auth';
import { UsageError } from './usage';

export const SECRET_USAGE = '[--secret-file PATH]';
export const SECRET_OPTIONS = { 'secret-file': { type: 'string' } } as const;
const SECRET_ENV = 'RIVULET_SECRET';

/** The secret the options or the environment give, if any; a `UsageError` when it cannot be used. */
export function secretOption(command: string, usage: string, file: string | undefined, env: NodeJS.ProcessEnv = process.env): Secret | undefined {
  const secret = file === undefined ? env[SECRET_ENV] : readSecretFile(command, usage, file);
  if (secret !== undefined && Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    const source = file === undefined ? SECRET_ENV : `--secret-file ${file}`;
    throw new UsageError(`${command}: the secret in ${source} must be at least ${MIN_SECRET_BYTES} bytes, got ${Buffer.byteLength(secret)}`, usage);
  }
  return secret;
}

function readSecretFile(command: string, usage: string, file: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new UsageError(`${command}: cannot read --secret-file ${file}: ${(error as Error).message}`, usage);
  }
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  return bytes.subarray(0, end);
}
