import { BusTaskFeed } from '../inspect/bus-tasks';
import { startDashboard, type Dashboard } from '../inspect/server';
import { BusRemoteActors } from '../inspect/remote-actors';
import { HeartbeatDirectory } from '../inspect/workers';
import { AuthenticatedBus } from '../distributed/authenticated-bus';
import { MessageAuth } from '../distributed/message-auth';
import { Subjects } from '../distributed/subjects';
import { NatsBus } from '../transport/nats-bus';
import { pickConnectionOptions, serverList } from '../transport/nats-options';
import type { DashboardCommand } from './dashboard-args';

/** Workers that sent no heartbeat for this long leave the directory (and show as gone). */
const FORGET_AFTER = 10_000;

/**
 * `rivulet dashboard`: serves the dashboard for a NATS deployment, built from the workers'
 * heartbeats on `<prefix>.workers.heartbeat`, the task stream read off `<prefix>.tasks.>` and
 * `<prefix>.results.>` and the workers' actors reported on `<prefix>.inspect.*`, over a
 * connection made with the command's NATS options. The returned dashboard's `close()` also closes
 * the connection.
 */
export async function runDashboard(command: DashboardCommand, log: (line: string) => void = console.log): Promise<Dashboard> {
  const connected = await NatsBus.connect({ name: 'rivulet-dashboard', ...pickConnectionOptions(command) });
  const bus = command.secret === undefined ? connected : new AuthenticatedBus(connected, new MessageAuth(command.secret, 'dashboard', 'rivulet dashboard'));
  const directory = new HeartbeatDirectory(FORGET_AFTER);
  bus.subscribe(new Subjects(command.prefix).heartbeat, (message) => directory.receive(message.data));
  const tasks = new BusTaskFeed(command.prefix);
  tasks.attach(bus);
  const remoteActors = new BusRemoteActors(command.prefix);
  remoteActors.attach(bus);
  await bus.flush();
  let dashboard: Dashboard;
  try {
    dashboard = await startDashboard({ workers: directory, tasks, remoteActors }, { port: command.port, host: command.host });
  } catch (error) {
    await bus.close();
    throw error;
  }
  log(`rivulet dashboard for ${serverList(command.servers).join(',')} (${command.prefix}.*): ${dashboard.url}`);
  return {
    ...dashboard,
    close: async () => {
      await dashboard.close();
      await bus.close();
    },
  };
}
