import { sleep } from './sleep';

/** A sink function that takes `ms` (on the current timers) per element and records what it finished. */
export function slowWriter(ms: number): { written: number[]; write: (x: number) => Promise<void> } {
  const written: number[] = [];
  return {
    written,
    write: async (x: number) => {
      await sleep(ms);
      written.push(x);
    },
  };
}
