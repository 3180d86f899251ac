/** `rivulet worker`'s command line (kept apart from the worker so `--help` loads nothing else). */
import { integerOption, parseCommandArgs, requireOptions } from './usage';

const COMMAND = 'rivulet worker';
export const WORKER_USAGE =
  'usage: rivulet worker --servers URL --tasks PATH [--concurrency N] [--pool P] [--prefix X] [--heartbeat MS]';

export interface WorkerCommand {
  servers: string;
  tasks: string[];
  concurrency: number;
  pool?: string;
  prefix?: string;
  heartbeatInterval?: number;
}

export function parseWorkerArgs(argv: string[]): WorkerCommand {
  const values = parseCommandArgs(COMMAND, WORKER_USAGE, argv, {
    servers: { type: 'string' },
    tasks: { type: 'string', multiple: true },
    concurrency: { type: 'string' },
    pool: { type: 'string' },
    prefix: { type: 'string' },
    heartbeat: { type: 'string' },
  });
  requireOptions(COMMAND, WORKER_USAGE, values, ['servers', 'tasks']);
  return {
    servers: values.servers as string,
    tasks: values.tasks as string[],
    concurrency: integerOption(COMMAND, WORKER_USAGE, 'concurrency', values.concurrency, 1) ?? 1,
    pool: values.pool,
    prefix: values.prefix,
    heartbeatInterval: integerOption(COMMAND, WORKER_USAGE, 'heartbeat', values.heartbeat, 1),
  };
}
