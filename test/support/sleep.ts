/** Resolves after `ms` on the current timers (under `jest.useFakeTimers()`, when the clock gets there). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
