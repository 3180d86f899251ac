/** `rivulet worker`: serves registered tasks from NATS until SIGTERM, then drains and exits 0. */
import { Worker } from '../distributed/worker/worker';
import { serverList } from '../transport/nats-options';
import { loadTaskModule } from './task-modules';
import type { WorkerCommand } from './worker-args';

export { parseWorkerArgs, WORKER_USAGE } from './worker-args';

/** Runs a worker; resolves with the exit code once a signal drained it. */
export async function runWorker(options: WorkerCommand, log: (line: string) => void = console.log): Promise<number> {
  for (const module of options.tasks) loadTaskModule(module);
  const worker = new Worker(options);
  await worker.start();
  log(`rivulet worker ${worker.id} ready (concurrency ${worker.concurrency}) on ${serverList(options.servers).join(',')}`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log(`rivulet worker ${worker.id}: ${signal}, finishing in-flight tasks`);
  await worker.drain();
  log(`rivulet worker ${worker.id} stopped`);
  return 0;
}
