/**
 * Worker actors of other processes in the inspector: a real nats-server, a real `rivulet worker`
 * process and a client's dashboard model in this process.
 */
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import type { ActorReport } from '../../src/distributed/inspect-protocol';
import { PROTOCOL_VERSION } from '../../src/distributed/protocol';
import { Subjects } from '../../src/distributed/subjects';
import { Client, startClientDashboard, type Dashboard } from '../../src';
import { BusRemoteActors } from '../../src/inspect/remote-actors';
import { InProcessBus } from '../../src/transport/in-process-bus';
import { exited, TASKS_MODULE } from '../distributed/support/deployments';
import { startInspectedWorker } from '../support/inspected-worker';
import { waitFor } from '../support/wait-for';

const START = 45_000;
const HEARD = 10_000;

describe('worker actors of other processes (real nats-server, real rivulet worker)', () => {
  let stop: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  test("the worker's actor appears with its machine and process, shows its transitions while it runs a task, and is gone after SIGKILL", async () => {
    const { worker, id, actorId, source, results, dashboard, actor } = await startInspectedWorker((started) => (stop = started));
    const model = dashboard.model;

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

describe('BusRemoteActors', () => {
  const subjects = new Subjects('t');
  const INTERVAL = 1000;
  let bus: InProcessBus;
  let now: number;
  let asks: number;
  let remote: BusRemoteActors;

  beforeEach(() => {
    jest.useFakeTimers();
    bus = new InProcessBus();
    now = 5000;
    asks = 0;
    bus.subscribe(subjects.inspectWatch, () => asks++);
    remote = new BusRemoteActors('t', { interval: INTERVAL, forgetAfter: 60_000, now: () => now });
    remote.attach(bus);
  });

  afterEach(async () => {
    await bus.close();
    jest.useRealTimers();
  });

  const report = (worker: string, changes: Partial<ActorReport> = {}): void =>
    bus.publish(subjects.inspect(worker), {
      v: PROTOCOL_VERSION,
      worker,
      host: 'other-host',
      pid: 4242,
      thread: 0,
      actor: `worker-${worker}`,
      machine: 'worker',
      state: 'ready',
      status: 'active',
      events: 1,
      updated: now,
      timeline: [{ time: now, event: 'CONNECTED', state: 'ready' }],
      ...changes,
    } satisfies ActorReport);

  test('asks only while watched, once at once and then every interval', () => {
    jest.advanceTimersByTime(3 * INTERVAL);
    expect(asks).toBe(0);
    const stop = remote.watch();
    expect(asks).toBe(1);
    jest.advanceTimersByTime(3 * INTERVAL);
    expect(asks).toBe(4);
    stop();
    jest.advanceTimersByTime(3 * INTERVAL);
    expect(asks).toBe(4);
  });

  test('lists what other processes report, keeps the last machine, and skips this process', () => {
    remote.watch();
    report('w1', { graph: { id: 'worker', initial: 'connecting', states: ['connecting', 'ready'], transitions: [] } });
    report('w1', { state: 'busy' });
    report('me', { host: hostname(), pid: process.pid, thread: threadId });
    const actors = remote.actors();
    expect(actors.map(({ view }) => view.id)).toEqual(['worker-w1']);
    expect(actors[0].view).toMatchObject({ state: 'busy', machine: 'worker', remote: { host: 'other-host', pid: 4242, thread: 0, gone: false } });
    expect(actors[0].machine?.states).toEqual(['connecting', 'ready']);
  });

  test('an actor that stopped or went silent is gone, and forgotten later', () => {
    remote.watch();
    report('w1');
    report('w2', { state: 'stopped', status: 'done' });
    const gone = (): Record<string, boolean | undefined> => Object.fromEntries(remote.actors().map(({ view }) => [view.id, view.remote?.gone]));
    expect(gone()).toEqual({ 'worker-w1': false, 'worker-w2': true });
    now += 3 * INTERVAL + 1;
    expect(gone()).toEqual({ 'worker-w1': true, 'worker-w2': true });
    now += 60_000;
    expect(gone()).toEqual({});
  });

  test('does not listen unwatched', () => {
    report('w1');
    expect(remote.actors()).toEqual([]);
  });
});

describe('worker threads of a local cluster', () => {
  let client: Client | undefined;
  let dashboard: Dashboard | undefined;

  afterEach(async () => {
    await dashboard?.close();
    await client?.close({ timeout: 1000 }).catch(() => {});
  });

  test('their actors are listed with their thread', async () => {
    client = new Client({ workers: 2, tasks: TASKS_MODULE });
    dashboard = await startClientDashboard(client, { port: 0, interval: 50 });
    await client.whenReady();
    const model = dashboard.model;
    const threads = (): number[] => model.state().actors.flatMap((actor) => (actor.remote === undefined || actor.state !== 'ready' ? [] : [actor.remote.thread]));
    await waitFor(() => threads().length === 2, HEARD, 'both worker threads reported ready');
    expect(threads().every((thread) => thread > 0)).toBe(true);
    expect(model.state().actors.filter((actor) => actor.remote !== undefined).every((actor) => actor.remote?.pid === process.pid && actor.name.startsWith('worker '))).toBe(true);
  }, START);
});
