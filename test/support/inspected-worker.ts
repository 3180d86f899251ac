/** A real `rivulet worker` process on a real nats-server, and a client's dashboard inspecting it. */
import type { ChildProcess } from 'node:child_process';
import { Client, Stream, startClientDashboard, type Dashboard } from '../../src';
import type { ActorView } from '../../src/inspect/actors';
import { NatsServer } from './nats-server';
import { startWorkerProcess, workerReady } from './worker-process';
import { linger } from '../distributed/fixtures/tasks';
import { exited, TASKS_MODULE } from '../distributed/support/deployments';

const START = 45_000;

export interface InspectedWorker {
  server: NatsServer;
  worker: ChildProcess;
  /** The worker's id and its actor's id (`worker-<id>`). */
  id: string;
  actorId: string;
  client: Client;
  /** `source.scatter({ client }).map(linger).gather()`, its results collected. */
  source: Stream<number>;
  results: number[];
  dashboard: Dashboard;
  /** The worker's actor as the dashboard's model last sampled it. */
  actor(): ActorView | undefined;
  /** Stops everything started (whatever has started, also after a failure). */
  stop(): Promise<void>;
}

/** Starts the server, the worker (`--concurrency 2`) and a client with its dashboard sampling every 50 ms. */
export async function startInspectedWorker(started: (stop: () => Promise<void>) => void): Promise<InspectedWorker> {
  const parts: Partial<InspectedWorker> = {};
  const stop = async (): Promise<void> => {
    await parts.dashboard?.close();
    await parts.client?.close({ timeout: 1000 }).catch(() => {});
    const worker = parts.worker;
    if (worker !== undefined && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    if (worker !== undefined) await exited(worker);
    await parts.server?.stop();
  };
  started(stop);
  const server = (parts.server = await NatsServer.start());
  const prefix = `ins${process.pid}`;
  const worker = (parts.worker = startWorkerProcess(server.url, TASKS_MODULE, ['--prefix', prefix, '--concurrency', '2']));
  const id = await workerReady(worker, START);
  const client = (parts.client = new Client({ servers: server.url, prefix }));
  const source = new Stream<number>();
  const results = source.scatter({ client }).map(linger).gather().sinkToList();
  const dashboard = (parts.dashboard = await startClientDashboard(client, { port: 0, interval: 50 }));
  await client.whenReady();
  const actorId = `worker-${id}`;
  const actor = (): ActorView | undefined => dashboard.model.state().actors.find((view) => view.id === actorId);
  return { server, worker, id, actorId, client, source, results, dashboard, actor, stop };
}
