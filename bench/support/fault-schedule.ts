/** A soak's fault injection: repeating faults at seeded random intervals, and one fault halfway. */
import { sleep } from './processes';
import { between } from './seeded-random';

export interface RepeatingFault {
  /** Milliseconds between two of them, drawn from this range. */
  readonly every: readonly [number, number];
  act(): Promise<void>;
}

export interface FaultSchedule {
  readonly durationMs: number;
  /** Milliseconds since the run started (when emission began). */
  elapsed(): number;
  random(): number;
  stopped(): boolean;
  repeating: readonly RepeatingFault[];
  halfway(): Promise<void>;
}

/**
 * Runs the faults one at a time until `stopped()`: each repeating fault at its interval (a short
 * run still sees one of each: the first comes by a third of the duration at the latest), and
 * `halfway` once. Bounded: each repeating fault at most duration / shortest interval + 1 times.
 */
export async function runFaults(schedule: FaultSchedule): Promise<void> {
  const { durationMs, repeating } = schedule;
  const next = repeating.map((fault) => Math.min(between(schedule.random, fault.every), durationMs / 3));
  const left = repeating.map((fault) => Math.ceil(durationMs / fault.every[0]) + 1);
  let halfwayDone = false;
  while (!schedule.stopped() && left.some((count) => count > 0)) {
    const elapsed = schedule.elapsed();
    const due = repeating.findIndex((_, i) => left[i] > 0 && elapsed >= next[i]);
    if (!halfwayDone && elapsed >= durationMs / 2) {
      halfwayDone = true;
      await schedule.halfway();
    } else if (due >= 0) {
      left[due]--;
      await repeating[due].act();
      next[due] = schedule.elapsed() + between(schedule.random, repeating[due].every);
    }
    await sleep(100);
  }
}
