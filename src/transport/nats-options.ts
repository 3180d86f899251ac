/**
 * The options of a NATS connection: one flat type for everything that connects to NATS (Client,
 * Worker, fromNats/toNats, NatsBus and the CLI), checked and turned into nats.js options in one place.
 */
import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator, type Authenticator, type NodeConnectionOptions } from '@nats-io/transport-node';
import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import { requireKnownOptions, requireOptions } from '../validate';

/** TLS towards the server. `{}` asks for TLS trusting the system's certificate authorities. */
export interface NatsTlsOptions {
  /** PEM file of the certificate authority that signed the server's certificate (read again on each reconnect). */
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
  /**
   * Server URL(s) (default `nats://127.0.0.1:4222`). A URL may carry credentials,
   * `nats://user:pass@host:4222` or `nats://token@host:4222`; `token`, `user`, `nkeySeed` or
   * `credsFile` given as options win over them.
   */
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

/** A file a connection option (or a command-line flag) names could not be read. */
export class OptionFileError extends Error {
  override readonly name = 'OptionFileError';
  constructor(
    /** The option or flag that named the file, e.g. `credsFile` or `--nkey`. */
    readonly option: string,
    readonly path: string,
    cause: unknown,
  ) {
    super(`${option}: cannot read ${path} (${(cause as { code?: string }).code ?? (cause as Error).message})`, { cause });
  }
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

const TLS_OPTION_NAMES: ReadonlySet<string> = new Set<keyof NatsTlsOptions>(['caFile', 'ca', 'certFile', 'cert', 'keyFile', 'key', 'handshakeFirst']);
const STRING_OPTIONS = ['token', 'user', 'pass', 'nkeySeed', 'credsFile', 'name'] as const;
const CREDENTIAL_OPTIONS = ['token', 'user', 'nkeySeed', 'credsFile'] as const;

/** The names of the NATS connection options, for checking an options object at run time. */
export const NATS_CONNECTION_OPTIONS: ReadonlySet<string> = new Set(Object.keys(OPTION_NAMES));

export const DEFAULT_NATS_SERVER = 'nats://127.0.0.1:4222';

/** `scheme://userinfo@rest`: the credentials part of a server URL. */
const URL_CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@(.*)$/i;

/** Reads a file an option names; failing, an `OptionFileError` names the option and the path. */
export function readOptionFile(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new OptionFileError(option, path, error);
  }
}

/**
 * Throws a typed error naming the first connection option of the wrong type or range, and refuses
 * a nested `nats: {...}` object (the options go flat, beside the others).
 */
export function checkConnectionOptions(options: NatsConnectionOptions): void {
  refuseNestedOptions(options);
  const { servers, tls, maxReconnectAttempts, reconnectTimeWait, connection } = options;
  if (servers !== undefined) serverList(servers);
  for (const name of STRING_OPTIONS) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw new ArgumentTypeError(name, 'a non-empty string', value);
  }
  if (options.pass !== undefined && options.user === undefined) throw new ArgumentRangeError('pass', 'given only with user', '(hidden)');
  if (tls !== undefined) checkTls(tls);
  if (maxReconnectAttempts !== undefined && (!Number.isInteger(maxReconnectAttempts) || maxReconnectAttempts < -1)) {
    throw new ArgumentRangeError('maxReconnectAttempts', 'an integer >= -1 (-1: forever)', maxReconnectAttempts);
  }
  if (reconnectTimeWait !== undefined && (!Number.isInteger(reconnectTimeWait) || reconnectTimeWait < 0)) {
    throw new ArgumentRangeError('reconnectTimeWait', 'an integer >= 0 (milliseconds)', reconnectTimeWait);
  }
  if (connection !== undefined) requireOptions(connection, 'connection');
}

/** The NATS connection options among `options` (which may hold others too), checked. */
export function pickConnectionOptions(options: NatsConnectionOptions): NatsConnectionOptions {
  checkConnectionOptions(options);
  return Object.fromEntries(Object.entries(options).filter(([key, value]) => NATS_CONNECTION_OPTIONS.has(key) && value !== undefined));
}

/** The server URLs without the credentials they may carry: safe to print. */
export function serverList(servers: string | string[] = DEFAULT_NATS_SERVER): string[] {
  const list = typeof servers === 'string' ? [servers] : servers;
  if (!Array.isArray(list) || list.length === 0 || list.some((url) => typeof url !== 'string' || url.trim() === '')) {
    throw new ArgumentTypeError('servers', 'a server URL or a non-empty array of them', servers);
  }
  return list.map((url) => splitCredentials(url).url);
}

/** nats.js connection options from ours; `connection` passes anything else through. */
export function connectionOptions(options: NatsConnectionOptions): NodeConnectionOptions {
  checkConnectionOptions(options);
  const fromUrl = urlCredentials(options.servers ?? DEFAULT_NATS_SERVER);
  const explicit = CREDENTIAL_OPTIONS.some((name) => options[name] !== undefined);
  const credentials = explicit || fromUrl === undefined ? { user: options.user, pass: options.pass, token: options.token } : fromUrl;
  const chosen: NodeConnectionOptions = {
    servers: serverList(options.servers),
    ...credentials,
    tls: options.tls,
    name: options.name,
    maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
    reconnectTimeWait: options.reconnectTimeWait,
    authenticator: authenticatorFor(options),
  };
  const defined = Object.fromEntries(Object.entries(chosen).filter(([, value]) => value !== undefined));
  return { ...defined, ...options.connection };
}

function refuseNestedOptions(options: object): void {
  if (Object.hasOwn(options, 'nats')) {
    const message = `NATS connection options go flat beside the others (servers, token, user, pass, nkeySeed, credsFile, tls, ...), not nested in 'nats'`;
    throw new ArgumentRangeError('nats', 'left out', (options as { nats: unknown }).nats, message);
  }
}

function checkTls(tls: NatsTlsOptions): void {
  requireOptions(tls, 'tls');
  requireKnownOptions('tls', tls, TLS_OPTION_NAMES);
  for (const [name, value] of Object.entries(tls)) {
    const valid = name === 'handshakeFirst' ? typeof value === 'boolean' : typeof value === 'string' && value !== '';
    if (value !== undefined && !valid) throw new ArgumentTypeError(`tls.${name}`, name === 'handshakeFirst' ? 'a boolean' : 'a non-empty string', value);
  }
}

interface UrlCredentials {
  user?: string;
  pass?: string;
  token?: string;
}

function splitCredentials(url: string): { url: string; credentials?: UrlCredentials } {
  const match = URL_CREDENTIALS.exec(url.trim());
  if (match === null) return { url };
  const [, scheme, userinfo, rest] = match;
  const colon = userinfo.indexOf(':');
  const credentials =
    colon < 0 ? { token: decodeURIComponent(userinfo) } : { user: decodeURIComponent(userinfo.slice(0, colon)), pass: decodeURIComponent(userinfo.slice(colon + 1)) };
  return { url: scheme + rest, credentials };
}

/** The credentials the URLs carry; different ones on different URLs are refused (nats.js sends one set to every server). */
function urlCredentials(servers: string | string[]): UrlCredentials | undefined {
  const found = (typeof servers === 'string' ? [servers] : servers).map((url) => splitCredentials(url).credentials).filter((credentials) => credentials !== undefined);
  const distinct = new Set(found.map((credentials) => JSON.stringify(credentials)));
  if (distinct.size > 1) throw new ArgumentRangeError('servers', 'URLs that carry the same credentials (or none)', serverList(servers));
  return found[0];
}

function authenticatorFor(options: NatsConnectionOptions): Authenticator | undefined {
  if (options.credsFile !== undefined) return credsAuthenticator(readOptionFile('credsFile', options.credsFile));
  if (options.nkeySeed !== undefined) return nkeyAuthenticator(new TextEncoder().encode(options.nkeySeed.trim()));
  return undefined;
}
