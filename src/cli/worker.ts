/** `rivulet worker`: serves registered tasks from NATS until SIGTERM, then drains and exits 0. */
import { Worker } from '../distributed/worker/worker';
import { serverList } from '../transport/nats-options';
import { loadTaskModule } from './task-modules';
import type { WorkerCommand } from './worker-args';
import { startWorkerMetrics, type MetricsServer } from './worker-metrics';

export { parseWorkerArgs, WORKER_USAGE } from './worker-args';

/** Runs a worker; resolves with the exit code once a signal drained it. */
export async function runWorker(options: WorkerCommand, log: (line: string) => void = console.log): Promise<number> {
  const { metricsPort, metricsHost, ...workerOptions } = options;
  for (const module of options.tasks) loadTaskModule(module);
  const worker = new Worker(workerOptions);
  // Up before the connection: `/healthz` answers and `/readyz` says 503 while the worker connects.
  const metrics = metricsPort === undefined ? undefined : await startWorkerMetrics(() => worker.serving, metricsPort, metricsHost);
  if (metrics !== undefined) log(`rivulet worker ${worker.id} metrics at ${metrics.url}`);
  await startOrClose(worker, metrics);
  log(`rivulet worker ${worker.id} ready (concurrency ${worker.concurrency}) on ${serverList(options.servers).join(',')}`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log(`rivulet worker ${worker.id}: ${signal}, finishing in-flight tasks`);
  await worker.drain();
  await metrics?.close();
  log(`rivulet worker ${worker.id} stopped`);
  return 0;
}

/** A worker that cannot start leaves no server behind (the process exits with its error). */
async function startOrClose(worker: Worker, metrics: MetricsServer | undefined): Promise<void> {
  try {
    await worker.start();
  } catch (error) {
    await metrics?.close();
    throw error;
  }
}
