/**
 * Where a NATS source or sink gets its bus: a bus the caller already has (`client`, kept open), or
 * NATS servers it connects to itself (`servers`, closed when it is done).
 */
import { ArgumentTypeError } from '../errors';
import type { Bus } from './bus';
import { NatsBus, type NatsBusOptions } from './nats-bus';

export interface BusEndpoint {
  /** A bus to use (a `NatsBus`, or any `Bus`); it stays open when the node stops. */
  client?: Bus;
  /** NATS server URL(s) to connect to instead; the connection closes when the node stops. */
  servers?: string | string[];
  /** Further connection options (auth, TLS, limits) when `servers` is given. */
  nats?: Omit<NatsBusOptions, 'servers'>;
}

export interface OpenedEndpoint {
  readonly bus: Bus;
  /** Whether the node opened the bus and must close it. */
  readonly owned: boolean;
}

/** Throws unless exactly one of `client` and `servers` is given. */
export function checkEndpoint(endpoint: BusEndpoint | undefined, argument = 'options'): void {
  const hasClient = endpoint?.client !== undefined;
  const hasServers = endpoint?.servers !== undefined;
  if (hasClient === hasServers) {
    throw new ArgumentTypeError(argument, 'an object with either `client` (a Bus) or `servers` (NATS URLs)', endpoint);
  }
  if (hasClient && typeof endpoint?.client?.publish !== 'function') {
    throw new ArgumentTypeError(`${argument}.client`, 'a Bus', endpoint?.client);
  }
}

export async function openEndpoint(endpoint: BusEndpoint): Promise<OpenedEndpoint> {
  if (endpoint.client !== undefined) return { bus: endpoint.client, owned: false };
  return { bus: await NatsBus.connect({ ...endpoint.nats, servers: endpoint.servers }), owned: true };
}

export async function closeEndpoint(opened: OpenedEndpoint | undefined): Promise<void> {
  if (opened?.owned === true) await opened.bus.drain();
}
