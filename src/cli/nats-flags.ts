/**
 * The NATS login of `rivulet worker` and `rivulet dashboard`: the same flags, the NATS CLI's
 * environment variables where a flag is absent, turned into one `NatsConnectionOptions`.
 */
import { readOptionFile, type NatsConnectionOptions } from '../transport/nats-options';
import { UsageError } from './usage';

export const NATS_FLAGS = {
  servers: { type: 'string' },
  token: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  creds: { type: 'string' },
  nkey: { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  name: { type: 'string' },
} as const;

type NatsFlag = keyof typeof NATS_FLAGS;
export type NatsFlagValues = Partial<Record<NatsFlag, string>>;

/** The NATS CLI's variable for each flag that has one. */
const ENVIRONMENT: Partial<Record<NatsFlag, string>> = {
  servers: 'NATS_URL',
  token: 'NATS_TOKEN',
  user: 'NATS_USER',
  password: 'NATS_PASSWORD',
  creds: 'NATS_CREDS',
  nkey: 'NATS_NKEY',
  'tls-ca': 'NATS_CA',
  'tls-cert': 'NATS_CERT',
  'tls-key': 'NATS_KEY',
};

const CREDENTIAL_FLAGS: readonly NatsFlag[] = ['token', 'user', 'password', 'creds', 'nkey'];
/** One way of logging in at a time: each is named by its first flag. */
const LOGIN_METHODS: readonly NatsFlag[] = ['token', 'user', 'creds', 'nkey'];

/** The login part of a command's usage line. */
export const NATS_USAGE = '[--token T | --user U --password P | --creds FILE | --nkey FILE] [--tls-ca FILE] [--tls-cert FILE --tls-key FILE] [--name N]';

/** What `--help` adds about them. */
export const NATS_HELP = `NATS connection (a flag wins over its environment variable):
  --servers URL[,URL]  NATS_URL       server URLs; nats://user:pass@host:4222 or nats://token@host:4222 log in too
  --token TOKEN        NATS_TOKEN     token authentication
  --user USER          NATS_USER      user and password authentication
  --password PASSWORD  NATS_PASSWORD
  --creds FILE         NATS_CREDS     credentials file (JWT and nkey seed, as made by nsc)
  --nkey FILE          NATS_NKEY      file holding an nkey seed (SU...)
  --tls-ca FILE        NATS_CA        PEM of the certificate authority that signed the server's certificate
  --tls-cert FILE      NATS_CERT      PEM client certificate, for servers that verify clients
  --tls-key FILE       NATS_KEY       PEM key of the client certificate
  --name NAME                         connection name shown by the server's monitoring
Credentials given as flags replace all of those from the environment.`;

/** Where a setting came from: `--flag` or the environment variable. */
interface Setting {
  readonly value: string;
  readonly source: string;
}

/**
 * The connection options from the parsed flags and `env`. Mistakes are `UsageError`s naming the
 * flag (or variable); a file that cannot be read is an `OptionFileError` naming it and the path.
 */
export function natsConnection(command: string, usage: string, flags: NatsFlagValues, env: NodeJS.ProcessEnv): NatsConnectionOptions {
  const fail = (problem: string): never => {
    throw new UsageError(`${command}: ${problem}`, usage);
  };
  const empty = (Object.keys(NATS_FLAGS) as NatsFlag[]).find((flag) => flags[flag] === '');
  if (empty !== undefined) fail(`--${empty} needs a value`);
  const credentialsFromFlags = CREDENTIAL_FLAGS.some((flag) => flags[flag] !== undefined);
  const setting = (flag: NatsFlag): Setting | undefined => {
    if (flags[flag] !== undefined) return { value: flags[flag], source: `--${flag}` };
    const variable = ENVIRONMENT[flag];
    const fromEnv = variable === undefined || (credentialsFromFlags && CREDENTIAL_FLAGS.includes(flag)) ? undefined : env[variable];
    return fromEnv === undefined || fromEnv === '' ? undefined : { value: fromEnv, source: variable as string };
  };
  const methods = LOGIN_METHODS.map(setting).filter((given) => given !== undefined);
  if (methods.length > 1) fail(`${methods.map((given) => given.source).join(' and ')} are different logins; give one`);
  const [user, password] = [setting('user'), setting('password')];
  if (password !== undefined && user === undefined) fail(`${password.source} needs --user`);
  const [cert, key] = [setting('tls-cert'), setting('tls-key')];
  if ((cert === undefined) !== (key === undefined)) fail(cert === undefined ? `${key?.source} needs --tls-cert` : `${cert.source} needs --tls-key`);
  const file = (flag: NatsFlag): string | undefined => readable(setting(flag));
  const nkey = setting('nkey');
  const tls = { caFile: file('tls-ca'), certFile: file('tls-cert'), keyFile: file('tls-key') };
  return definedOnly({
    servers: setting('servers')?.value.split(',').map((url) => url.trim()),
    token: setting('token')?.value,
    user: user?.value,
    pass: password?.value,
    credsFile: file('creds'),
    nkeySeed: nkey === undefined ? undefined : readOptionFile(nkey.source, nkey.value).toString('utf8').trim(),
    tls: Object.values(tls).some((path) => path !== undefined) ? definedOnly(tls) : undefined,
    name: setting('name')?.value,
  });
}

/** The path, once it proved readable (nats.js reads these files itself, again on each reconnect). */
function readable(setting: Setting | undefined): string | undefined {
  if (setting !== undefined) readOptionFile(setting.source, setting.value);
  return setting?.value;
}

function definedOnly<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}
