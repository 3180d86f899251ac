/** `rivulet dashboard`'s command line (kept apart from the dashboard so `--help` loads nothing else). */
import { DEFAULT_PREFIX } from '../distributed/subjects';
import { integerOption, parseCommandArgs, UsageError } from './usage';

export const DASHBOARD_USAGE = 'usage: rivulet dashboard [--servers URL] [--prefix rivulet] [--port 8787] [--host 127.0.0.1]';

export interface DashboardCommand {
  servers: string;
  prefix: string;
  port: number;
  host: string;
}

const DEFAULT_SERVERS = 'nats://127.0.0.1:4222';
const MAX_PORT = 65535;
const COMMAND = 'rivulet dashboard';

export function parseDashboardArgs(argv: string[]): DashboardCommand {
  const values = parseCommandArgs(COMMAND, DASHBOARD_USAGE, argv, {
    servers: { type: 'string', default: DEFAULT_SERVERS },
    prefix: { type: 'string', default: DEFAULT_PREFIX },
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
  });
  const port = integerOption(COMMAND, DASHBOARD_USAGE, 'port', values.port, 0) as number;
  if (port > MAX_PORT) throw new UsageError(`${COMMAND}: --port must be at most ${MAX_PORT}, got ${port}`, DASHBOARD_USAGE);
  return { servers: values.servers, prefix: values.prefix, port, host: values.host };
}
