/** Whether `promise` is still pending once the microtasks queued so far and one event-loop turn ran. */
export async function isPending(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  const markSettled = (): void => {
    settled = true;
  };
  promise.then(markSettled, markSettled);
  await new Promise((resolve) => setImmediate(resolve));
  return !settled;
}
