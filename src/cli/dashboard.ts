import { parseArgs } from 'node:util';
import { BusTaskFeed } from '../inspect/bus-tasks';
import { startDashboard, type Dashboard } from '../inspect/server';
import { HeartbeatDirectory } from '../inspect/workers';
import { NatsBus } from '../transport/nats-bus';
import { DEFAULT_PREFIX, Subjects } from '../distributed/subjects';

export const DASHBOARD_USAGE = 'usage: rivulet dashboard [--servers URL] [--prefix rivulet] [--port 8787] [--host 127.0.0.1]';

export interface DashboardCommand {
  servers?: string;
  prefix: string;
  port: number;
  host: string;
}

/** Workers that sent no heartbeat for this long leave the directory (and show as gone). */
const FORGET_AFTER = 10_000;

export function parseDashboardArgs(argv: string[]): DashboardCommand {
  const { values } = parseArgs({
    args: argv,
    options: {
      servers: { type: 'string' },
      prefix: { type: 'string', default: DEFAULT_PREFIX },
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port must be an integer from 0 to 65535, got ${values.port}\n${DASHBOARD_USAGE}`);
  return { servers: values.servers, prefix: values.prefix, port, host: values.host };
}

/**
 * `rivulet dashboard`: serves the dashboard for a NATS deployment, built from the workers'
 * heartbeats on `<prefix>.workers.heartbeat` and the task stream read off `<prefix>.tasks.>` and
 * `<prefix>.results.>`. Without `--servers` it connects to
 * nats://127.0.0.1:4222. The returned dashboard's `close()` also closes the connection.
 */
export async function runDashboard(argv: string[], log: (line: string) => void = console.log): Promise<Dashboard> {
  const command = parseDashboardArgs(argv);
  const bus = await NatsBus.connect({ servers: command.servers, name: 'rivulet-dashboard' });
  const directory = new HeartbeatDirectory(FORGET_AFTER);
  bus.subscribe(new Subjects(command.prefix).heartbeat, (message) => directory.receive(message.data));
  const tasks = new BusTaskFeed(command.prefix);
  tasks.attach(bus);
  await bus.flush();
  let dashboard: Dashboard;
  try {
    dashboard = await startDashboard({ workers: directory, tasks }, { port: command.port, host: command.host });
  } catch (error) {
    await bus.close();
    throw error;
  }
  log(`rivulet dashboard for ${command.servers ?? 'nats://127.0.0.1:4222'} (${command.prefix}.*): ${dashboard.url}`);
  return {
    ...dashboard,
    close: async () => {
      await dashboard.close();
      await bus.close();
    },
  };
}
