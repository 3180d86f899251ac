/** Tasks for the dashboard's end-to-end test: loaded by the test and by its `rivulet worker` processes. */
import { task } from '../../src';

export const UNLUCKY_EVERY = 25;

/** Adds one after 20 ms; every 25th element fails. */
export const slowInc = task('dashboard.slowInc', async (x: number) => {
  await new Promise((resolve) => setTimeout(resolve, 20));
  if (x % UNLUCKY_EVERY === UNLUCKY_EVERY - 1) throw new Error(`unlucky ${x}`);
  return x + 1;
});
