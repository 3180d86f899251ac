import type { Bus } from '../transport/bus';
import { BusTaskFeed } from './bus-tasks';
import { inspect, type InspectObserver, type InspectOptions } from './inspect';
import type { InspectTarget } from './model';
import { startDashboard, type Dashboard, type DashboardOptions } from './server';
import type { WorkerDirectory } from './workers';

/** What the inspector needs of a distributed `Client`: its workers, its subject prefix and its task bus. */
export interface InspectableClient extends WorkerDirectory {
  readonly subjects: { readonly prefix: string };
  /** Runs `setup` with the task bus once connected. */
  onReady(setup: (bus: Bus) => void): void;
}

export interface ClientInspection {
  /** The client's pipelines (any node of each), if the dashboard should draw them. */
  pipelines?: InspectTarget['pipelines'];
}

/** The client's workers, its task stream (read off its task bus) and the given pipelines. */
export function clientInspectTarget(client: InspectableClient, pipelines?: InspectTarget['pipelines']): InspectTarget {
  const tasks = new BusTaskFeed(client.subjects.prefix);
  client.onReady((bus) => tasks.attach(bus));
  return pipelines === undefined ? { workers: client, tasks } : { workers: client, tasks, pipelines };
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
