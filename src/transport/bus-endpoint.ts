/**
 * Where a NATS source or sink gets its bus: a bus the caller already has (`client`, kept open), or
 * NATS servers it connects to itself (`servers`, closed when it is done).
 */
import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import type { Bus } from './bus';
import type { CodecLimits } from './codec';
import { NatsBus } from './nats-bus';
import { checkConnectionOptions, NATS_CONNECTION_OPTIONS, pickConnectionOptions, type NatsConnectionOptions } from './nats-options';
import { closeBus } from './close-bus';

/**
 * `client`, or `servers` with the other NATS connection options (token, user/pass, nkeySeed,
 * credsFile, tls, ...) beside it. The node's `name` also names its connection.
 */
export interface BusEndpoint extends NatsConnectionOptions {
  /** A bus to use (a `NatsBus`, or any `Bus`); it stays open when the node stops. */
  client?: Bus;
  /** Size and nesting limits for encoded messages (on the connection it opens, or on a link over `client`). */
  limits?: CodecLimits;
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
  checkConnectionOptions(endpoint as BusEndpoint);
  const ignored = hasClient ? [...NATS_CONNECTION_OPTIONS].find((name) => name !== 'name' && endpoint?.[name as keyof NatsConnectionOptions] !== undefined) : undefined;
  if (ignored !== undefined) throw new ArgumentRangeError(ignored, 'left out with client (it is a NATS connection option)', endpoint?.[ignored as keyof NatsConnectionOptions]);
}

/** What a node keeps of its options to open its endpoint later. */
export function endpointOf(options: BusEndpoint): BusEndpoint {
  return { client: options.client, limits: options.limits, ...pickConnectionOptions(options) };
}

export async function openEndpoint(endpoint: BusEndpoint): Promise<OpenedEndpoint> {
  if (endpoint.client !== undefined) return { bus: endpoint.client, owned: false };
  return { bus: await NatsBus.connect({ ...pickConnectionOptions(endpoint), limits: endpoint.limits }), owned: true };
}

/** Closes a connection the node opened itself: drained within a bound, then closed, also while its server is down. */
export async function closeEndpoint(opened: OpenedEndpoint | undefined): Promise<void> {
  if (opened?.owned === true) await closeBus(opened.bus);
}
