import { liveNodes } from '../metrics/registry';
import type { Stream } from '../stream';
import type { Bus } from '../transport/bus';
import { BusTaskFeed } from './bus-tasks';
import { inspect, type InspectObserver, type InspectOptions } from './inspect';
import type { InspectTarget } from './model';
import { BusRemoteActors } from './remote-actors';
import { startDashboard, type Dashboard, type DashboardOptions } from './server';
import type { WorkerDirectory } from './workers';

/** What the inspector needs of a distributed `Client`: its workers, its subject prefix and its buses. */
export interface InspectableClient extends WorkerDirectory {
  readonly subjects: { readonly prefix: string };
  /** Where credit grants travel, when not on the task bus. */
  readonly controlBus?: Bus;
  /** Runs `setup` with the task bus once connected. */
  onReady(setup: (bus: Bus) => void): void;
}

export interface ClientInspection {
  /** The pipelines to draw (any node of each); default: every pipeline that uses the client. */
  pipelines?: InspectTarget['pipelines'];
}

/** The client's workers, its task stream and its workers' actors (read off its buses) and its pipelines. */
export function clientInspectTarget(client: InspectableClient, pipelines: InspectTarget['pipelines'] = () => pipelinesUsing(client)): InspectTarget {
  const tasks = new BusTaskFeed(client.subjects.prefix);
  const remoteActors = new BusRemoteActors(client.subjects.prefix);
  if (client.controlBus !== undefined) tasks.attachControl(client.controlBus);
  client.onReady((bus) => {
    tasks.attach(bus);
    remoteActors.attach(bus);
  });
  return { workers: client, tasks, remoteActors, pipelines };
}

/** Nodes of this process whose work goes to `client` (the distributed nodes of its pipelines). */
export function pipelinesUsing(client: InspectableClient): Stream<unknown>[] {
  return liveNodes().filter((node) => (node as { client?: unknown }).client === client);
}

/** `client.inspect(observer)`. */
export function inspectClient(client: InspectableClient, observer: InspectObserver, options: InspectOptions & ClientInspection = {}): () => void {
  const { pipelines, ...rest } = options;
  return inspect(clientInspectTarget(client, pipelines), observer, rest);
}

/** `client.dashboard(options)`: the dashboard for the client's workers, tasks and (given) pipelines. */
export function startClientDashboard(client: InspectableClient, options: DashboardOptions & ClientInspection = {}): Promise<Dashboard> {
  const { pipelines, ...rest } = options;
  return startDashboard(clientInspectTarget(client, pipelines), rest);
}
