/** The benchmark's task, registered for the client and for every worker. */
import { task } from '../../src/distributed/tasks';

export const inc = task('bench.inc', (x: number) => x + 1);

/** A slow task for the memory run: yields to the event loop before answering. */
export const slowInc = task('bench.slowInc', (x: number) => new Promise<number>((resolve) => setImmediate(() => resolve(x + 1))));

/** `[id, ms]`: waits `ms` (a timer, like I/O) and answers `id`; the churn and pool benchmarks' task. */
export const nap = task('bench.nap', ([id, ms]: [number, number]) => new Promise<number>((resolve) => setTimeout(() => resolve(id), ms)));
