import { writeFileSync } from 'node:fs';

export type NatsServerConfigValue = string | number | boolean;

/**
 * Writes a nats-server configuration file of flat `key: value` entries (e.g. `max_payload`, which
 * has no command-line flag) to `path` and returns the arguments that load it.
 */
export function natsServerConfigArgs(path: string, entries: Record<string, NatsServerConfigValue>): string[] {
  const lines = Object.entries(entries).map(([key, value]) => `${key}: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return ['-c', path];
}
