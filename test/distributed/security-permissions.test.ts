/**
 * The least-privilege users of docs/security.md, run as written: nats-server loads the exact
 * configuration block the document shows. A client and a worker with their users run a pipeline; a
 * third user with no rights on the prefix can neither read tasks nor forge results nor drain.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Stream } from '../../src';
import type { GatherNode } from '../../src/distributed/gather-node';
import { PROTOCOL_VERSION } from '../../src/distributed/protocol';
import { Subjects } from '../../src/distributed/subjects';
import { Worker } from '../../src/distributed/worker/worker';
import type { Bus } from '../../src/transport/bus';
import { NatsBus } from '../../src/transport/nats-bus';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';
import { inc, linger } from './fixtures/tasks';

const DOC = join(__dirname, '..', '..', 'docs', 'security.md');
const PASSWORDS = { RIVULET_CLIENT_PASSWORD: 'client-pass', RIVULET_WORKER_PASSWORD: 'worker-pass', OTHER_TEAM_PASSWORD: 'other-pass' };
const TEST_TIMEOUT = 30_000;

/** The configuration between the document's `permissions.conf` markers, without the code fence. */
function documentedConfig(): string {
  const match = /<!-- permissions\.conf: begin -->\n```\n([\s\S]*?)```\n<!-- permissions\.conf: end -->/.exec(readFileSync(DOC, 'utf8'));
  if (match === null) throw new Error(`no permissions.conf block in ${DOC}`);
  return match[1];
}

describe('the NATS users of docs/security.md (real nats-server with that authorization block)', () => {
  const subjects = new Subjects();
  let dir: string;
  let server: NatsServer;
  let worker: Worker;
  let workerBus: Bus;
  let client: Client;
  let other: Bus;
  const violations: string[] = [];
  const intercepted: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rivulet-permissions-'));
    const config = join(dir, 'permissions.conf');
    // The passwords as configuration variables (the server looks in its environment for undefined ones).
    const variables = Object.entries(PASSWORDS).map(([name, value]) => `${name}: "${value}"\n`);
    writeFileSync(config, variables.join('') + documentedConfig());
    server = await NatsServer.start({ args: ['-c', config] });
    workerBus = await NatsBus.connect({ servers: server.url, user: 'rivulet-worker', pass: PASSWORDS.RIVULET_WORKER_PASSWORD });
    worker = await new Worker({ bus: workerBus, heartbeatInterval: 100 }).start();
    client = new Client({ servers: server.url, user: 'rivulet-client', pass: PASSWORDS.RIVULET_CLIENT_PASSWORD });
    await client.whenReady();
    await waitFor(() => client.workers().length === 1, 5000, 'the worker heard');
    other = await NatsBus.connect({ servers: server.url, user: 'other-team', pass: PASSWORDS.OTHER_TEAM_PASSWORD });
    other.onWarning?.((warning) => void (warning.kind === 'permission-violation' && violations.push(warning.detail)));
    for (const subject of [`${subjects.prefix}.tasks.>`, `${subjects.prefix}.results.>`, '_INBOX.>']) other.subscribe(subject, (message) => void intercepted.push(message.subject));
    await other.flush();
  });

  afterAll(async () => {
    await client?.close({ timeout: 1000 }).catch(() => {});
    await worker?.drain();
    await workerBus?.close();
    await other?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the client and the worker run a pipeline; the third user reads none of it, its subscriptions refused', async () => {
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(inc).buffer(4).gather().sinkToList();
    for (let i = 0; i < 20; i++) await source.emit(i);
    await source.drain();
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await other.flush();
    expect(intercepted).toEqual([]);
    for (const subject of ['tasks.>', 'results.>']) expect(violations.join('\n')).toContain(`Permissions Violation for Subscription to "${subjects.prefix}.${subject}"`);
    expect(violations.join('\n')).toContain('Permissions Violation for Subscription to "_INBOX.>"');
  }, TEST_TIMEOUT);

  test('its forged result for an element in flight and its drain request are dropped by the server', async () => {
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(linger).gather();
    const out = gathered.sinkToList();
    const done = source.emit(7);
    await waitFor(() => client.workers()[0]?.inFlight > 0, 5000, 'the task accepted');
    const resultSubject = subjects.results((gathered as GatherNode<number>).segment.id);
    other.publish(resultSubject, { v: PROTOCOL_VERSION, worker: worker.id, results: [{ seq: 0, attempt: 0, ok: true, values: ['PWNED'] }] });
    other.publish(subjects.drainWorker(worker.id), null);
    await other.flush();
    await done;
    expect(out).toEqual([7]);
    expect(violations.join('\n')).toContain(`Permissions Violation for Publish to "${resultSubject}"`);
    expect(violations.join('\n')).toContain(`Permissions Violation for Publish to "${subjects.drainWorker(worker.id)}"`);
    expect(worker.state).not.toBe('stopped');
    expect(client.workers()[0]).toMatchObject({ id: worker.id, phase: 'ready' });
  }, TEST_TIMEOUT);
});
