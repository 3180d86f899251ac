/** Polls `condition` until it holds, failing after `timeout` ms (for waits on real I/O only). */
export async function waitFor(condition: () => boolean, timeout = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
