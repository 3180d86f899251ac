/**
 * Worker actors of other processes in the inspector: a real nats-server, a real `rivulet worker`
 * process and a client's dashboard model in this process.
 */
import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { Client, Stream, startClientDashboard, type Dashboard } from '../../src';
import type { ActorView } from '../../src/inspect/actors';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess, workerReady } from '../support/worker-process';
import { linger } from '../distributed/fixtures/tasks';
import { exited, TASKS_MODULE } from '../distributed/support/deployments';

const START = 45_000;
const HEARD = 10_000;

describe('worker actors of other processes (real nats-server, real rivulet worker)', () => {
  let server: NatsServer | undefined;
  let worker: ChildProcess | undefined;
  let client: Client | undefined;
  let dashboard: Dashboard | undefined;

  afterEach(async () => {
    await dashboard?.close();
    await client?.close({ timeout: 1000 }).catch(() => {});
    if (worker !== undefined && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    if (worker !== undefined) await exited(worker);
    await server?.stop();
  });

  test("the worker's actor appears with its machine and process, shows its transitions while it runs a task, and is gone after SIGKILL", async () => {
    server = await NatsServer.start();
    const prefix = `ins${process.pid}`;
    worker = startWorkerProcess(server.url, TASKS_MODULE, ['--prefix', prefix, '--concurrency', '2']);
    const id = await workerReady(worker, START);
    client = new Client({ servers: server.url, prefix });
    const source = new Stream<number>();
    const results = source.scatter({ client }).map(linger).gather().sinkToList();
    dashboard = await startClientDashboard(client, { port: 0, interval: 50 });
    await client.whenReady();
    const model = dashboard.model;
    const actorId = `worker-${id}`;
    const actor = (): ActorView | undefined => model.state().actors.find((view) => view.id === actorId);

    await waitFor(() => actor()?.state === 'ready', HEARD, 'the worker actor reported ready');
    expect(actor()).toMatchObject({ name: `worker ${id}`, machine: 'worker', remote: { host: hostname(), pid: worker.pid, gone: false } });
    const machine = model.inspector(actorId).selected?.machine;
    expect(machine?.states).toEqual(['connecting', 'ready', 'busy', 'saturated', 'draining', 'stopped']);
    expect(machine?.transitions).toContainEqual({ from: 'ready', to: 'busy', event: 'BUSY' });

    await source.emit(1);
    expect(results).toEqual([1]);
    const steps = (): string[] => (model.inspector(actorId).selected?.timeline ?? []).map((entry) => `${entry.event}>${entry.state}`);
    await waitFor(() => actor()?.state === 'ready' && steps().includes('IDLE>ready'), HEARD, 'the worker back to ready');
    expect(steps()).toEqual(expect.arrayContaining(['CONNECTED>ready', 'BUSY>busy', 'IDLE>ready']));
    expect(steps().indexOf('BUSY>busy')).toBeLessThan(steps().lastIndexOf('IDLE>ready'));
    expect(actor()?.events).toBeGreaterThanOrEqual(3);

    worker.kill('SIGKILL');
    await exited(worker);
    await waitFor(() => actor()?.remote?.gone === true, HEARD, 'the worker actor shown as gone');
    expect(actor()?.state).toBe('ready');
  }, START + 3 * HEARD);
});
