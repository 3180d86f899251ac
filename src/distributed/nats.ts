import type { Bus } from '../transport/bus';
import { NatsBus } from '../transport/nats-bus';

/** Opens the NATS bus for a client or a worker process; a failure names the servers it tried. */
export async function connectNats(servers: string | string[], options: Record<string, unknown> = {}): Promise<Bus> {
  try {
    return await NatsBus.connect({ ...options, servers });
  } catch (error) {
    throw namingServers(error, ([] as string[]).concat(servers));
  }
}

/** Prefixes the error's own message (keeping its class and code) with the servers when it does not name them. */
function namingServers(error: unknown, servers: string[]): unknown {
  if (error instanceof Error && !servers.some((server) => error.message.includes(server))) {
    error.message = `cannot connect to NATS at ${servers.join(', ')}: ${error.message}`;
  }
  return error;
}
