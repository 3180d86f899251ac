import { emitDetached } from './support/detached-emit';
import { ArgumentRangeError } from '../errors';
import { type Emitted, Stream } from '../stream';
import { TimedNode } from './support/timed-node';
import type { TimedOptions } from './support/timed-options';

declare module '../stream' {
  interface Stream<T> {
    /**
     * Every `interval` ms, the array of elements received in it (empty arrays too). The next window
     * starts its `interval` once the downstream accepted the previous one, and `emit` waits while
     * it has not (back pressure). A downstream failure goes to `errors`.
     */
    timedWindow(interval: number, options?: TimedOptions): Stream<T[]>;
  }
}

/** What a window keeps until it closes. */
export interface WindowContents {
  add(x: unknown): void;
  /** The window's elements, emptying it. */
  take(): unknown[];
}

class AllElements implements WindowContents {
  private items: unknown[] = [];

  add(x: unknown): void {
    this.items.push(x);
  }

  take(): unknown[] {
    const items = this.items;
    this.items = [];
    return items;
  }
}

/**
 * streamz's `timed_window`. Its timer runs from construction until `destroy()`, but keeps the
 * process alive only while the window holds elements (streamz's loop runs in a daemon thread).
 */
export class TimedWindow<T> extends TimedNode<T[]> {
  private readonly contents: WindowContents;
  private timer: unknown = undefined;
  /** The window being emitted: its downstream's promise while that is pending. */
  private previous: Promise<void> | undefined = undefined;
  private holding = false;
  private previousHeld = false;
  private destroyed = false;

  constructor(upstream: Stream<T>, interval: number, options?: TimedOptions, contents: WindowContents = new AllElements()) {
    if (interval === 0) throw new ArgumentRangeError('interval', 'a number of milliseconds > 0', interval);
    super(upstream, interval, options);
    this.contents = contents;
    this.startTimer();
  }

  override get kind(): string {
    return 'timedWindow';
  }

  override update(x: T): Emitted {
    this.contents.add(x);
    if (!this.holding) {
      this.holding = true;
      this.holdStarted();
      keepProcessAlive(this.timer, true);
    }
    return this.previous;
  }

  /** Stops the timer; elements of the open window are dropped. */
  override destroy(): void {
    this.destroyed = true;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.holding) {
      this.holding = false;
      this.contents.take();
      this.holdEnded();
    }
    super.destroy();
  }

  private startTimer(): void {
    this.timer = this.scheduler.setTimeout(this.close, this.interval);
    keepProcessAlive(this.timer, this.holding);
  }

  private readonly close = (): void => {
    this.timer = undefined;
    this.previousHeld = this.holding;
    this.holding = false;
    const pending = emitDetached(this, this.contents.take() as T[]);
    if (pending === undefined) this.closed();
    else this.previous = pending.then(this.closed);
  };

  private readonly closed = (): void => {
    this.previous = undefined;
    if (this.previousHeld) {
      this.previousHeld = false;
      this.holdEnded();
    }
    if (!this.destroyed) this.startTimer();
  };
}

/** Node's timers have `ref`/`unref`; other schedulers' handles are left alone. */
function keepProcessAlive(timer: unknown, keep: boolean): void {
  const handle = timer as { ref?: () => void; unref?: () => void } | undefined;
  if (keep) handle?.ref?.();
  else handle?.unref?.();
}

Stream.registerApi('timedWindow', (upstream, interval: number, options?: TimedOptions) => new TimedWindow(upstream, interval, options));
