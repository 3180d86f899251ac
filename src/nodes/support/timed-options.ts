import type { Scheduler } from '../../scheduler';
import type { StreamOptions } from '../../stream';

/** Options of the nodes that keep time (windows, delay, rate limit). */
export interface TimedOptions extends StreamOptions {
  /** Where the node gets its clock; `systemScheduler` (the global timers) by default. */
  scheduler?: Scheduler;
}
