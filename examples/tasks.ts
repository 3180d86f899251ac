/**
 * The tasks of the examples, registered by name. The client and every worker load this module:
 * workers run only what is registered here and never code that arrives over the wire.
 */
import { task } from '../src'; // in your project: from 'rivulet'

const TASK_MS = Number(process.env.TASK_MS ?? 1000);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** streamz's `inc`: sleeps, then adds one. */
export const inc = task('inc', async (x: number) => {
  await sleep(TASK_MS);
  return x + 1;
});

/** CPU-bound work: what worker threads and extra machines are for. */
export const spin = task('spin', (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
  return ms;
});
