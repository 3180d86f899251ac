import { systemScheduler, type Scheduler } from '../../scheduler';
import { Stream } from '../../stream';
import type { TimedOptions } from './timed-options';
import { requireInterval } from '../../validate';

/** A node driven by a clock and an `interval` in ms, shown by `toString()` (`<delay: 500>`). */
export abstract class TimedNode<Out> extends Stream<Out> {
  protected readonly scheduler: Scheduler;

  constructor(
    upstream: Stream<unknown>,
    protected readonly interval: number,
    options: TimedOptions = {},
  ) {
    requireInterval('interval', interval);
    super(options, [upstream]);
    this.scheduler = options.scheduler ?? systemScheduler;
  }

  protected override describe(): string {
    return String(this.interval);
  }
}
