/** Watches `promise`: `settled` turns true once it resolved or rejected; `done` awaits it. */
export function trackSettled(promise: Promise<unknown>): { readonly settled: boolean; readonly done: Promise<unknown> } {
  const tracker = { settled: false, done: promise };
  promise.then(
    () => (tracker.settled = true),
    () => (tracker.settled = true),
  );
  return tracker;
}
