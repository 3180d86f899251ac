/**
 * The NATS login flags `rivulet worker` and `rivulet dashboard` share, parsed in process: what
 * they turn into, the NATS CLI's environment variables behind them, and mistakes named by flag.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDashboardArgs } from '../../src/cli/dashboard-args';
import { HelpRequest, UsageError } from '../../src/cli/usage';
import { parseWorkerArgs } from '../../src/cli/worker-args';
import type { NatsConnectionOptions } from '../../src/transport/nats-options';

const SEED = 'SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4';

let dir: string;
let seedFile: string;
let pemFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rivulet-flags-'));
  seedFile = join(dir, 'user.nk');
  writeFileSync(seedFile, `${SEED}\n`);
  pemFile = join(dir, 'any.pem');
  writeFileSync(pemFile, 'not checked here: nats.js reads it when it connects');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Both commands, reduced to the NATS options they parse (the worker also gets --tasks). */
const commands = {
  worker: (argv: string[], env: NodeJS.ProcessEnv = {}): NatsConnectionOptions => {
    const { tasks: _tasks, concurrency: _concurrency, pool: _pool, prefix: _prefix, heartbeatInterval: _heartbeat, metricsPort: _metricsPort, metricsHost: _metricsHost, ...nats } = parseWorkerArgs(['--tasks', 't.js', ...argv], env);
    return nats;
  },
  dashboard: (argv: string[], env: NodeJS.ProcessEnv = {}): NatsConnectionOptions => {
    const { prefix: _prefix, port: _port, host: _host, ...nats } = parseDashboardArgs(argv, env);
    return nats;
  },
};

function problem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error instanceof UsageError ? error.problem : (error as Error).message).replace(/^rivulet \w+: /, '');
  }
  throw new Error('no error thrown');
}

describe.each(['worker', 'dashboard'] as const)('rivulet %s', (command) => {
  const parse = commands[command];
  const S = ['--servers', 'nats://127.0.0.1:4333'];

  test('turns the flags into connection options; files are checked, the nkey seed is read', () => {
    expect(parse(['--servers', 'nats://a:1, nats://b:2', '--token', 'tok', '--name', 'n1'])).toEqual({ servers: ['nats://a:1', 'nats://b:2'], token: 'tok', name: 'n1' });
    expect(parse([...S, '--user', 'u', '--password', 'p'])).toEqual({ servers: ['nats://127.0.0.1:4333'], user: 'u', pass: 'p' });
    expect(parse([...S, '--nkey', seedFile])).toMatchObject({ nkeySeed: SEED });
    expect(parse([...S, '--creds', pemFile])).toMatchObject({ credsFile: pemFile });
    expect(parse([...S, '--tls-ca', pemFile, '--tls-cert', pemFile, '--tls-key', pemFile])).toMatchObject({ tls: { caFile: pemFile, certFile: pemFile, keyFile: pemFile } });
    expect(parse([...S, '--tls-ca', pemFile])).toMatchObject({ tls: { caFile: pemFile } });
  });

  test('reads the NATS CLI environment variables; a flag wins over its variable', () => {
    const env = { NATS_URL: 'nats://env:1', NATS_USER: 'eve', NATS_PASSWORD: 'pw', NATS_CA: pemFile, NATS_CERT: pemFile, NATS_KEY: pemFile };
    expect(parse([], env)).toEqual({ servers: ['nats://env:1'], user: 'eve', pass: 'pw', tls: { caFile: pemFile, certFile: pemFile, keyFile: pemFile } });
    expect(parse(['--servers', 'nats://flag:2', '--user', 'bob'], env)).toMatchObject({ servers: ['nats://flag:2'], user: 'bob' });
    expect(parse([], { NATS_URL: 'nats://env:1', NATS_TOKEN: 'tok' })).toEqual({ servers: ['nats://env:1'], token: 'tok' });
    expect(parse([], { NATS_URL: 'nats://env:1', NATS_NKEY: seedFile })).toMatchObject({ nkeySeed: SEED });
    expect(parse([], { NATS_URL: 'nats://env:1', NATS_CREDS: pemFile })).toMatchObject({ credsFile: pemFile });
  });

  test('credentials given as flags replace all of those in the environment', () => {
    const parsed = parse([...S, '--token', 'tok'], { NATS_USER: 'eve', NATS_PASSWORD: 'pw', NATS_NKEY: '/not/read' });
    expect(parsed).toEqual({ servers: ['nats://127.0.0.1:4333'], token: 'tok' });
  });

  test('mistakes are usage errors naming the flag or variable', () => {
    expect(problem(() => parse([...S, '--token']))).toMatch(/'--token/);
    expect(problem(() => parse([...S, '--token', '']))).toBe('--token needs a value');
    expect(problem(() => parse([...S, '--token', 't', '--nkey', seedFile]))).toBe('--token and --nkey are different logins; give one');
    expect(problem(() => parse(S, { NATS_TOKEN: 't', NATS_USER: 'u' }))).toBe('NATS_TOKEN and NATS_USER are different logins; give one');
    expect(problem(() => parse([...S, '--password', 'p']))).toBe('--password needs --user');
    expect(problem(() => parse([...S, '--tls-cert', pemFile]))).toBe('--tls-cert needs --tls-key');
    expect(problem(() => parse(S, { NATS_KEY: pemFile }))).toBe('NATS_KEY needs --tls-cert');
    expect(() => parse([...S, '--token'])).toThrow(UsageError);
  });

  test('a file that cannot be read names the flag (or variable) and the path', () => {
    const missing = join(dir, 'missing.pem');
    expect(problem(() => parse([...S, '--nkey', missing]))).toBe(`--nkey: cannot read ${missing} (ENOENT)`);
    expect(problem(() => parse([...S, '--creds', dir]))).toBe(`--creds: cannot read ${dir} (EISDIR)`);
    expect(problem(() => parse([...S, '--tls-ca', missing]))).toBe(`--tls-ca: cannot read ${missing} (ENOENT)`);
    expect(problem(() => parse(S, { NATS_CERT: missing, NATS_KEY: pemFile }))).toBe(`NATS_CERT: cannot read ${missing} (ENOENT)`);
  });

  test('--help lists every login flag and environment variable', () => {
    let help = '';
    try {
      parse(['--help']);
    } catch (error) {
      help = (error as HelpRequest).usage;
    }
    expect(help).toMatch(new RegExp(`^usage: rivulet ${command} `));
    for (const flag of ['--servers', '--token', '--user', '--password', '--creds', '--nkey', '--tls-ca', '--tls-cert', '--tls-key', '--name']) expect(help).toContain(flag);
    for (const variable of ['NATS_URL', 'NATS_TOKEN', 'NATS_USER', 'NATS_PASSWORD', 'NATS_CREDS', 'NATS_NKEY', 'NATS_CA', 'NATS_CERT', 'NATS_KEY']) expect(help).toContain(variable);
  });
});

test('rivulet worker needs servers from --servers or NATS_URL', () => {
  expect(problem(() => parseWorkerArgs(['--tasks', 't.js'], {}))).toBe('missing --servers');
  expect(parseWorkerArgs(['--tasks', 't.js'], { NATS_URL: 'nats://env:1' }).servers).toEqual(['nats://env:1']);
});
