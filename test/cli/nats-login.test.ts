/**
 * `rivulet worker` and `rivulet dashboard` log in to real nats-servers that require a token, a user
 * and password, an nkey, or TLS with a private CA (client certificates verified): the worker (a real
 * process) runs a pipeline's tasks for a Client given the same credentials, and the dashboard sees
 * its heartbeats. Each login is given once as flags, once as the NATS CLI's environment variables
 * or inside the URL. Wrong credentials end the command with one line naming the server.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { Client, Stream, type ClientOptions, type Dashboard } from '../../src';
import { runDashboard } from '../../src/cli/dashboard';
import { parseDashboardArgs } from '../../src/cli/dashboard-args';
import { double } from '../distributed/fixtures/tasks';
import { exited, TASKS_MODULE } from '../distributed/support/deployments';
import { NatsServer } from '../support/nats-server';
import { natsServerConfigArgs } from '../support/nats-server-config';
import { runCli } from '../support/run-typescript';
import { generateTlsCertificates } from '../support/tls-certificates';
import { waitFor } from '../support/wait-for';
import { startWorkerCommand, workerReady } from '../support/worker-process';

const TOKEN = 't0ken-42';
const USER = 'alice';
const PASSWORD = 's3cret:/@x';
const JOIN_TIMEOUT = 20_000;
const TEST_TIMEOUT = 30_000;

interface Login {
  /** `rivulet worker` arguments besides --tasks, and its added environment. */
  worker: { args: string[]; env?: NodeJS.ProcessEnv };
  /** `rivulet dashboard` arguments besides --port, and the environment it parses. */
  dashboard: { args: string[]; env?: NodeJS.ProcessEnv };
  client: ClientOptions;
}

let dir: string;
/** No tasks: the refused worker has nothing to load before it connects. */
let emptyTasks: string;
const servers: Record<'token' | 'user' | 'nkey' | 'tls', NatsServer> = {} as never;
const logins: Record<keyof typeof servers, () => Login> = {} as never;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rivulet-login-'));
  const certificates = generateTlsCertificates(dir);
  const user = nkeys.createUser();
  const seed = new TextDecoder().decode(user.getSeed());
  const seedFile = join(dir, 'user.nk');
  writeFileSync(seedFile, `${seed}\n`);
  emptyTasks = join(dir, 'tasks.js');
  writeFileSync(emptyTasks, '');
  [servers.token, servers.user, servers.nkey, servers.tls] = await Promise.all([
    NatsServer.start({ token: TOKEN }),
    NatsServer.start({ user: USER, pass: PASSWORD }),
    NatsServer.start({ args: natsServerConfigArgs(join(dir, 'nkey.conf'), { authorization: { users: [{ nkey: user.getPublicKey() }] } }) }),
    NatsServer.start({ args: ['--tlsverify', '--tlscert', certificates.server.certFile, '--tlskey', certificates.server.keyFile, '--tlscacert', certificates.ca.certFile] }),
  ]);
  const { ca, client } = certificates;
  const port = (name: keyof typeof servers): number => servers[name].port;
  const encodedPassword = encodeURIComponent(PASSWORD);
  logins.token = () => ({
    worker: { args: ['--servers', servers.token.url, '--token', TOKEN] },
    dashboard: { args: ['--servers', `nats://${TOKEN}@127.0.0.1:${port('token')}`] },
    client: { servers: servers.token.url, token: TOKEN },
  });
  logins.user = () => ({
    worker: { args: [], env: { NATS_URL: servers.user.url, NATS_USER: USER, NATS_PASSWORD: PASSWORD } },
    dashboard: { args: ['--servers', servers.user.url, '--user', USER, '--password', PASSWORD] },
    client: { servers: `nats://${USER}:${encodedPassword}@127.0.0.1:${port('user')}` },
  });
  logins.nkey = () => ({
    worker: { args: ['--servers', servers.nkey.url, '--nkey', seedFile] },
    dashboard: { args: [], env: { NATS_URL: servers.nkey.url, NATS_NKEY: seedFile } },
    client: { servers: servers.nkey.url, nkeySeed: seed },
  });
  logins.tls = () => ({
    worker: { args: ['--servers', servers.tls.url, '--tls-ca', ca.certFile, '--tls-cert', client.certFile, '--tls-key', client.keyFile] },
    dashboard: { args: ['--servers', servers.tls.url], env: { NATS_CA: ca.certFile, NATS_CERT: client.certFile, NATS_KEY: client.keyFile } },
    client: { servers: servers.tls.url, tls: { caFile: ca.certFile, certFile: client.certFile, keyFile: client.keyFile } },
  });
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe('rivulet worker and rivulet dashboard log in to a protected nats-server', () => {
  let worker: ChildProcess | undefined;
  let dashboard: Dashboard | undefined;
  let client: Client | undefined;

  afterEach(async () => {
    await client?.close({ timeout: 2000 }).catch(() => {});
    await dashboard?.close();
    if (worker !== undefined && worker.exitCode === null) worker.kill('SIGKILL');
    if (worker !== undefined) await exited(worker);
    [worker, dashboard, client] = [undefined, undefined, undefined];
  });

  test.each(['token', 'user', 'nkey', 'tls'] as const)('%s: the worker runs a pipeline\'s tasks, the dashboard sees its heartbeat', async (name) => {
    const login = logins[name]();
    worker = startWorkerCommand([...login.worker.args, '--tasks', TASKS_MODULE, '--heartbeat', '100'], login.worker.env);
    const logged: string[] = [];
    const [id, started] = await Promise.all([
      workerReady(worker, JOIN_TIMEOUT),
      runDashboard(parseDashboardArgs([...login.dashboard.args, '--port', '0'], login.dashboard.env ?? {}), (line) => logged.push(line)),
    ]);
    dashboard = started;
    // Named without the credentials a URL may carry.
    expect(logged).toEqual([`rivulet dashboard for ${servers[name].url} (rivulet.*): ${started.url}`]);
    const model = started.model;
    await waitFor(() => model.sample().workers.some((seen) => seen.id === id && seen.status === 'alive'), JOIN_TIMEOUT, `the dashboard to see worker ${id}`);

    client = new Client(login.client);
    await client.whenReady();
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(double).gather().sinkToList();
    for (const x of [1, 2, 3]) await source.emit(x);
    await waitFor(() => out.length === 3, JOIN_TIMEOUT, 'three results');
    expect(out).toEqual([2, 4, 6]);
  }, TEST_TIMEOUT);
});

describe('wrong credentials', () => {
  test.each([
    ['worker', 'token', (): string[] => ['--servers', servers.token.url, '--token', 'wrong', '--tasks', emptyTasks]],
    ['dashboard', 'user', (): string[] => ['--servers', servers.user.url, '--user', USER, '--password', 'wrong', '--port', '0']],
  ] as const)('rivulet %s against the %s server: exit 1 with one line naming the server, no stack', async (command, name, args) => {
    const result = await runCli([command, ...args()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`rivulet ${command}: cannot connect to NATS at ${servers[name].url}: AuthorizationError: Authorization Violation\n`);
  }, TEST_TIMEOUT);
});
