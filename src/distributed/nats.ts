import type { Bus } from '../transport/bus';
import { NatsBus } from '../transport/nats-bus';

/** Opens the NATS bus for a client or a worker process. */
export async function connectNats(servers: string | string[], options: Record<string, unknown> = {}): Promise<Bus> {
  return NatsBus.connect({ ...options, servers });
}
