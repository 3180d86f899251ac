/** `rivulet worker`'s command line (kept apart from the worker so `--help` loads nothing else). */
import type { Secret } from '../distributed/message-auth';
import type { NatsConnectionOptions } from '../transport/nats-options';
import { NATS_FLAGS, NATS_HELP, NATS_USAGE, natsConnection } from './nats-flags';
import { SECRET_OPTIONS, SECRET_USAGE, secretOption } from './secret-option';
import { integerOption, parseCommandArgs, requireOptions } from './usage';

const COMMAND = 'rivulet worker';
export const WORKER_USAGE =
  `usage: rivulet worker --servers URL --tasks PATH [--concurrency N] [--prefetch N] [--pool P] [--prefix X] [--heartbeat MS] ${NATS_USAGE} ${SECRET_USAGE}`;

export interface WorkerCommand extends NatsConnectionOptions {
  servers: string[];
  tasks: string[];
  concurrency: number;
  /** Tasks it holds beyond those it runs (default: its concurrency). */
  prefetch?: number;
  pool?: string;
  prefix?: string;
  heartbeatInterval?: number;
  secret?: Secret;
}

export function parseWorkerArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): WorkerCommand {
  const { tasks, concurrency, prefetch, pool, prefix, heartbeat, 'secret-file': secretFile, ...flags } = parseCommandArgs(COMMAND, WORKER_USAGE, argv, {
    ...NATS_FLAGS,
    tasks: { type: 'string', multiple: true },
    concurrency: { type: 'string' },
    prefetch: { type: 'string' },
    pool: { type: 'string' },
    prefix: { type: 'string' },
    heartbeat: { type: 'string' },
    ...SECRET_OPTIONS,
  }, NATS_HELP);
  const { servers, ...nats } = natsConnection(COMMAND, WORKER_USAGE, flags, env);
  requireOptions(COMMAND, WORKER_USAGE, { servers, tasks }, ['servers', 'tasks']);
  return {
    ...nats,
    servers: servers as string[],
    tasks: tasks as string[],
    concurrency: integerOption(COMMAND, WORKER_USAGE, 'concurrency', concurrency, 1) ?? 1,
    prefetch: integerOption(COMMAND, WORKER_USAGE, 'prefetch', prefetch, 0),
    pool,
    prefix,
    heartbeatInterval: integerOption(COMMAND, WORKER_USAGE, 'heartbeat', heartbeat, 1),
    secret: secretOption(COMMAND, WORKER_USAGE, secretFile, env),
  };
}
