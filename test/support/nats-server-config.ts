import { writeFileSync } from 'node:fs';

/**
 * Writes a nats-server configuration file to `path` and returns the arguments that load it. The
 * server's config syntax accepts JSON, so `config` is written as JSON: settings without a
 * command-line flag, such as `max_payload` or `authorization: { users: [{ nkey }] }`.
 */
export function natsServerConfigArgs(path: string, config: Record<string, unknown>): string[] {
  writeFileSync(path, JSON.stringify(config, null, 2));
  return ['-c', path];
}
