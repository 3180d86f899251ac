/** `rivulet dashboard`'s command line (kept apart from the dashboard so `--help` loads nothing else). */
import { DEFAULT_PREFIX } from '../distributed/subjects';
import type { Secret } from '../distributed/message-auth';
import type { NatsConnectionOptions } from '../transport/nats-options';
import { NATS_FLAGS, NATS_HELP, NATS_USAGE, natsConnection } from './nats-flags';
import { SECRET_OPTIONS, SECRET_USAGE, secretOption } from './secret-option';
import { parseCommandArgs, portOption } from './usage';

export const DASHBOARD_USAGE = `usage: rivulet dashboard [--servers URL] [--prefix rivulet] [--port 8787] [--host 127.0.0.1] ${NATS_USAGE} ${SECRET_USAGE}`;

/** Without `servers` (flag or NATS_URL) it connects to nats://127.0.0.1:4222. */
export interface DashboardCommand extends NatsConnectionOptions {
  prefix: string;
  port: number;
  host: string;
  /** The cluster secret: without it, a cluster that has one shows nothing. */
  secret?: Secret;
}

const COMMAND = 'rivulet dashboard';

export function parseDashboardArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): DashboardCommand {
  const { prefix, port: portText, host, 'secret-file': secretFile, ...flags } = parseCommandArgs(COMMAND, DASHBOARD_USAGE, argv, {
    ...NATS_FLAGS,
    prefix: { type: 'string', default: DEFAULT_PREFIX },
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    ...SECRET_OPTIONS,
  }, NATS_HELP);
  const port = portOption(COMMAND, DASHBOARD_USAGE, 'port', portText) as number;
  return { ...natsConnection(COMMAND, DASHBOARD_USAGE, flags, env), prefix, port, host, secret: secretOption(COMMAND, DASHBOARD_USAGE, secretFile, env) };
}
