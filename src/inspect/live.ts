import type { Stream } from '../stream';
import { BusTaskFeed } from './bus-tasks';
import { BusRemoteActors } from './remote-actors';
import type { InspectableClient } from './client';
import { startDashboard, type Dashboard, type DashboardOptions } from './server';
import type { WorkerInfo } from './workers';

/** A dashboard started before the program built its pipelines and client: tell it about them as they come. */
export interface LiveDashboard extends Dashboard {
  /** Draws `pipeline` (any of its nodes) from the next sample on. */
  add(pipeline: Stream<unknown>): void;
  /** Shows `client`'s workers and task stream (replacing an earlier client). */
  useClient(client: InspectableClient): void;
}

/** What `npm run demo -- --dashboard` uses: the dashboard first, the pipelines and client later. */
export async function startLiveDashboard(options: DashboardOptions = {}): Promise<LiveDashboard> {
  const pipelines: Stream<unknown>[] = [];
  let client: InspectableClient | undefined;
  const tasks = new BusTaskFeed();
  const remoteActors = new BusRemoteActors();
  const workers = { workers: (): WorkerInfo[] => client?.workers() ?? [] };
  const dashboard = await startDashboard({ pipelines: () => pipelines, workers, tasks, remoteActors }, options);
  return {
    ...dashboard,
    add: (pipeline) => {
      if (!pipelines.includes(pipeline)) pipelines.push(pipeline);
    },
    useClient: (next) => {
      client = next;
      if (next.controlBus !== undefined) tasks.attachControl(next.controlBus);
      next.onReady((bus) => {
        if (client !== next) return;
        tasks.attach(bus, next.subjects.prefix);
        remoteActors.attach(bus, next.subjects.prefix);
      });
    },
  };
}
