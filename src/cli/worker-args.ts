/** `rivulet worker`'s command line (kept apart from the worker so `--help` loads nothing else). */
import type { Secret } from '../distributed/message-auth';
import type { NatsConnectionOptions } from '../transport/nats-options';
import { NATS_FLAGS, NATS_HELP, NATS_USAGE, natsConnection } from './nats-flags';
import { SECRET_OPTIONS, SECRET_USAGE, secretOption } from './secret-option';
import { integerOption, parseCommandArgs, portOption, requireOptions, UsageError } from './usage';

const COMMAND = 'rivulet worker';
export const WORKER_USAGE =
  `usage: rivulet worker --servers URL --tasks PATH [--concurrency N] [--prefetch N] [--pool P] [--prefix X] [--heartbeat MS] [--metrics-port P [--metrics-host 127.0.0.1]] ${NATS_USAGE} ${SECRET_USAGE}`;

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
  /** Serve `/metrics`, `/healthz` and `/readyz` over HTTP on this port. */
  metricsPort?: number;
  metricsHost: string;
}

const DEFAULT_METRICS_HOST = '127.0.0.1';
const WORKER_HELP = `Queue:
  --prefetch N         tasks held waiting beside the running ones (default: adaptive, two round trips
                       of work, from the concurrency up to 8 x the concurrency; 0 takes only what it
                       can start at once)

Metrics and container probes (HTTP):
  --metrics-port P     serve /metrics (Prometheus text), /healthz (200 while the process runs) and
                       /readyz (200 while connected and in the pool, 503 while disconnected or draining)
  --metrics-host H     address to listen on (default 127.0.0.1; 0.0.0.0 to be scraped from outside a container)

${NATS_HELP}`;

export function parseWorkerArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): WorkerCommand {
  const { tasks, concurrency, prefetch, pool, prefix, heartbeat, 'metrics-port': metricsPort, 'metrics-host': metricsHost, 'secret-file': secretFile, ...flags } = parseCommandArgs(COMMAND, WORKER_USAGE, argv, {
    ...NATS_FLAGS,
    tasks: { type: 'string', multiple: true },
    concurrency: { type: 'string' },
    prefetch: { type: 'string' },
    pool: { type: 'string' },
    prefix: { type: 'string' },
    heartbeat: { type: 'string' },
    'metrics-port': { type: 'string' },
    'metrics-host': { type: 'string' },
    ...SECRET_OPTIONS,
  }, WORKER_HELP);
  const { servers, ...nats } = natsConnection(COMMAND, WORKER_USAGE, flags, env);
  requireOptions(COMMAND, WORKER_USAGE, { servers, tasks }, ['servers', 'tasks']);
  if (metricsHost !== undefined && metricsPort === undefined) throw new UsageError(`${COMMAND}: --metrics-host needs --metrics-port`, WORKER_USAGE);
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
    metricsPort: portOption(COMMAND, WORKER_USAGE, 'metrics-port', metricsPort),
    metricsHost: metricsHost ?? DEFAULT_METRICS_HOST,
  };
}
