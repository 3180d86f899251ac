/**
 * Where time-based nodes get their clock. The default reads the global timer functions at call
 * time, so jest's fake timers drive it; tests may also inject their own scheduler.
 */
export interface Scheduler {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Lets a process exit while `handle` (a timer from the system scheduler) is pending; other handles are left as they are. */
export function unrefTimer<T>(handle: T): T {
  (handle as { unref?: () => void } | null)?.unref?.();
  return handle;
}
