import { type Emitted, Stream } from '../stream';
import { TimedNode } from './support/timed-node';
import type { TimedOptions } from './support/timed-options';

declare module '../stream' {
  interface Stream<T> {
    /**
     * At most one element per `interval` ms: the first passes at once, each later one waits for its
     * slot and `emit` waits with it (streamz `rate_limit`).
     */
    rateLimit(interval: number, options?: TimedOptions): Stream<T>;
  }
}

export class RateLimit<T> extends TimedNode<T> {
  /** When the next element may pass. */
  private nextSlot = -Infinity;

  override get kind(): string {
    return 'rateLimit';
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
