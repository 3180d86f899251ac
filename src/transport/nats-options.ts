/**
 * The options of a NATS connection: one type for everything that connects to NATS (Client,
 * Worker, fromNats/toNats, NatsBus and the CLI), turned into nats.js options in one place.
 */
import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator, type Authenticator, type NodeConnectionOptions } from '@nats-io/transport-node';

/** TLS towards the server. `{}` asks for TLS trusting the system's certificate authorities. */
export interface NatsTlsOptions {
  /** PEM file of the certificate authority that signed the server's certificate. */
  caFile?: string;
  /** The same as PEM text. */
  ca?: string;
  /** PEM file of this client's certificate (servers that verify clients). */
  certFile?: string;
  cert?: string;
  /** PEM file of this client's private key. */
  keyFile?: string;
  key?: string;
  /** TLS before the NATS greeting (the server must be configured with `handshake_first`). */
  handshakeFirst?: boolean;
}

export interface NatsConnectionOptions {
  /** Server URL(s) (default `nats://127.0.0.1:4222`). */
  servers?: string | string[];
  token?: string;
  user?: string;
  pass?: string;
  /** NKey seed (the `SU...` string) for nkey authentication. */
  nkeySeed?: string;
  /** Path of a `.creds` file (JWT + nkey seed). */
  credsFile?: string;
  tls?: NatsTlsOptions;
  /** Connection name shown by the server's monitoring. */
  name?: string;
  /** Reconnect attempts per server before giving up (default: forever). */
  maxReconnectAttempts?: number;
  /** Milliseconds between reconnect attempts to one server (default 2000). */
  reconnectTimeWait?: number;
  /** Any other nats.js connection option, passed through as is (it wins over the ones above). */
  connection?: NodeConnectionOptions;
}

const OPTION_NAMES: Record<keyof NatsConnectionOptions, true> = {
  servers: true,
  token: true,
  user: true,
  pass: true,
  nkeySeed: true,
  credsFile: true,
  tls: true,
  name: true,
  maxReconnectAttempts: true,
  reconnectTimeWait: true,
  connection: true,
};

/** The names of the NATS connection options, for checking an options object at run time. */
export const NATS_CONNECTION_OPTIONS: ReadonlySet<string> = new Set(Object.keys(OPTION_NAMES));

export const DEFAULT_NATS_SERVER = 'nats://127.0.0.1:4222';

/** nats.js connection options from ours; `connection` passes anything else through. */
export function connectionOptions(options: NatsConnectionOptions): NodeConnectionOptions {
  const chosen: NodeConnectionOptions = {
    servers: options.servers ?? DEFAULT_NATS_SERVER,
    user: options.user,
    pass: options.pass,
    token: options.token,
    tls: options.tls,
    name: options.name,
    maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
    reconnectTimeWait: options.reconnectTimeWait,
    authenticator: authenticatorFor(options),
  };
  const defined = Object.fromEntries(Object.entries(chosen).filter(([, value]) => value !== undefined));
  return { ...defined, ...options.connection };
}

function authenticatorFor(options: NatsConnectionOptions): Authenticator | undefined {
  if (options.credsFile !== undefined) return credsAuthenticator(readFileSync(options.credsFile));
  if (options.nkeySeed !== undefined) return nkeyAuthenticator(new TextEncoder().encode(options.nkeySeed));
  return undefined;
}
