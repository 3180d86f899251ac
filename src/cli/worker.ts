/** `rivulet worker`: serves registered tasks from NATS until SIGTERM, then drains and exits 0. */
import { parseArgs } from 'node:util';
import { Worker } from '../distributed/worker/worker';

export const WORKER_USAGE =
  'usage: rivulet worker --servers URL --tasks PATH [--concurrency N] [--pool P] [--prefix X] [--heartbeat MS]';

export function parseWorkerArgs(argv: string[]): { servers: string; tasks: string[]; concurrency: number; pool?: string; prefix?: string; heartbeatInterval?: number } {
  const { values } = parseArgs({
    args: argv,
    options: {
      servers: { type: 'string' },
      tasks: { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      pool: { type: 'string' },
      prefix: { type: 'string' },
      heartbeat: { type: 'string' },
    },
    strict: true,
  });
  if (values.servers === undefined || values.tasks === undefined) throw new Error(WORKER_USAGE);
  return {
    servers: values.servers,
    tasks: values.tasks,
    concurrency: values.concurrency === undefined ? 1 : Number(values.concurrency),
    pool: values.pool,
    prefix: values.prefix,
    heartbeatInterval: values.heartbeat === undefined ? undefined : Number(values.heartbeat),
  };
}

/** Runs a worker; resolves with the exit code once a signal drained it. */
export async function runWorker(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  const options = parseWorkerArgs(argv);
  const worker = new Worker({ ...options, servers: options.servers.split(',') });
  await worker.start();
  log(`rivulet worker ${worker.id} ready (concurrency ${worker.concurrency}) on ${options.servers}`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log(`rivulet worker ${worker.id}: ${signal}, finishing in-flight tasks`);
  await worker.drain();
  log(`rivulet worker ${worker.id} stopped`);
  return 0;
}
