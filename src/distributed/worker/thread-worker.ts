/** The entry point of a local cluster's worker thread: the Worker runtime over the thread's port. */
import { parentPort, workerData } from 'node:worker_threads';
import { PortBus } from '../../transport/port-bus';
import { Worker, type WorkerOptions } from './worker';

if (parentPort === null) throw new Error('thread-worker must run in a worker thread');
const bus = new PortBus(parentPort);
const worker = new Worker({ ...(workerData as WorkerOptions), bus });
void worker.stopped.then(() => bus.close());
worker.start().catch((error: unknown) => {
  // Thrown outside the promise it ends the thread and reaches the client as the thread's 'error'.
  setImmediate(() => {
    throw error;
  });
});
