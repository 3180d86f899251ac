/**
 * Polls `condition` until it holds, failing after `timeout` ms (for waits on real I/O only);
 * `refresh`, when given, is awaited before each check (an HTTP poll, say).
 */
export async function waitFor(condition: () => boolean, timeout = 5000, what = 'condition', refresh?: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + timeout;
  while ((await refresh?.(), !condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
