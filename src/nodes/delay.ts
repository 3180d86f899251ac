import { emitDetached } from './support/detached-emit';
import { Fifo } from '../util/fifo';
import { type Emitted, Stream } from '../stream';
import { TimedNode } from './support/timed-node';
import type { TimedOptions } from './support/timed-options';

declare module '../stream' {
  interface Stream<T> {
    /**
     * Re-emits each element `interval` ms after it arrived, and never two within less than
     * `interval` ms of each other (a pacer, like streamz). `emit` never waits; a downstream failure
     * goes to `errors`.
     */
    delay(interval: number, options?: TimedOptions): Stream<T>;
  }
}

export class Delay<T> extends TimedNode<T> {
  private readonly queued = new Fifo<unknown>();
  private readonly arrivals = new Fifo<number>();
  /** A timer is set for the oldest element, or the downstream is still taking the previous one. */
  private busy = false;
  private lastRelease = -Infinity;

  override get kind(): string {
    return 'delay';
  }

  override update(x: T): Emitted {
    this.holdStarted();
    this.queued.push(x);
    this.arrivals.push(this.scheduler.now());
    if (!this.busy) this.scheduleNext();
    return undefined;
  }

  /** Releases every element that is due, then sets a timer for the next one. */
  private scheduleNext(): void {
    this.busy = true;
    while (this.queued.length > 0) {
      const wait = Math.max(this.arrivals.peek(), this.lastRelease) + this.interval - this.scheduler.now();
      if (wait > 0) {
        this.scheduler.setTimeout(this.release, wait);
        return;
      }
      if (this.releaseOldest()) return;
    }
    this.busy = false;
  }

  private readonly release = (): void => {
    if (!this.releaseOldest()) this.scheduleNext();
  };

  /** Emits the oldest element; true when the downstream took it asynchronously (`released` follows). */
  private releaseOldest(): boolean {
    this.arrivals.shift();
    this.lastRelease = this.scheduler.now();
    const pending = emitDetached(this, this.queued.shift() as T);
    if (pending === undefined) {
      this.holdEnded();
      return false;
    }
    void pending.then(this.released);
    return true;
  }

  private readonly released = (): void => {
    this.holdEnded();
    this.scheduleNext();
  };
}

Stream.registerApi('delay', (upstream, interval: number, options?: TimedOptions) => new Delay(upstream, interval, options));
