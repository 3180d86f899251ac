import { type Emitted, Stream } from '../stream';
import { systemScheduler, type Scheduler } from '../scheduler';
import type { TimedOptions } from '../timed-options';
import { requireInterval } from '../validate';

declare module '../stream' {
  interface Stream<T> {
    /**
     * At most one element per `interval` ms: the first passes at once, each later one waits for its
     * slot and `emit` waits with it (streamz `rate_limit`).
     */
    rateLimit(interval: number, options?: TimedOptions): Stream<T>;
  }
}

export class RateLimit<T> extends Stream<T> {
  private readonly scheduler: Scheduler;
  /** When the next element may pass. */
  private nextSlot = -Infinity;

  constructor(
    upstream: Stream<T>,
    private readonly interval: number,
    options: TimedOptions = {},
  ) {
    requireInterval('interval', interval);
    super(options, [upstream]);
    this.scheduler = options.scheduler ?? systemScheduler;
  }

  override get kind(): string {
    return 'rateLimit';
  }

  protected override describe(): string {
    return String(this.interval);
  }

  override update(x: T): Emitted {
    const now = this.scheduler.now();
    const slot = this.nextSlot;
    this.nextSlot = Math.max(now, slot) + this.interval;
    if (now >= slot) return this.emit(x);
    return this.hold(this.emitAfter(slot - now, x));
  }

  private emitAfter(ms: number, x: T): Promise<void> {
    return new Promise<void>((resolve) => this.scheduler.setTimeout(resolve, ms)).then(() => this.emit(x));
  }
}

Stream.registerApi('rateLimit', (upstream, interval: number, options?: TimedOptions) => new RateLimit(upstream, interval, options));
