import type { Writable } from 'node:stream';
import { Stream, type Emitted, type StreamOptions } from '../stream';
import { ArgumentTypeError } from '../errors';

export interface ToWritableOptions extends StreamOptions {
  /** End the writable when this node is destroyed. Default `true`. */
  end?: boolean;
}

declare module '../stream' {
  interface Stream<T> {
    /**
     * Writes each element into a Node.js `Writable` (a sink). When `write()` asks to wait, `emit`
     * waits for the writable's 'drain'; `drain()` waits until every write was flushed.
     * `destroy()` ends the writable (unless `end: false`). Write errors go to `errors`.
     */
    toWritable(writable: Writable, options?: ToWritableOptions): ToWritable<T>;
  }
}

/** A sink into a Node.js Writable that honours its back pressure. */
export class ToWritable<T> extends Stream<never> {
  private drained: Promise<void> | undefined = undefined;
  private readonly endOnDestroy: boolean;

  readonly writable: Writable;

  constructor(upstream: Stream<T>, writable: Writable, options: ToWritableOptions = {}) {
    if (writable === null || typeof writable !== 'object' || typeof writable.write !== 'function') {
      throw new ArgumentTypeError('writable', 'a Node.js Writable', writable);
    }
    super(options, [upstream]);
    this.writable = writable;
    this.endOnDestroy = options.end ?? true;
    writable.on('error', (error) => this.reportError(undefined, error));
  }

  override get kind(): string {
    return 'toWritable';
  }

  override update(x: T): Emitted {
    this.markActive();
    if (this.writable.destroyed || this.writable.writableEnded) throw new Error(`${this}: the writable is closed`);
    const ready = this.writable.write(this.chunk(x), this.holdEnded);
    this.holdStarted();
    return ready ? undefined : this.waitForDrain();
  }

  override destroy(): void {
    super.destroy();
    if (this.endOnDestroy && !this.writable.writableEnded) this.writable.end();
  }

  /** What is written for `x`. */
  protected chunk(x: T): unknown {
    return x;
  }

  private waitForDrain(): Promise<void> {
    this.drained ??= new Promise<void>((resolve) => {
      const done = (): void => {
        this.writable.off('drain', done).off('close', done);
        this.drained = undefined;
        resolve();
      };
      this.writable.on('drain', done).on('close', done);
    });
    return this.drained;
  }
}

Stream.registerApi('toWritable', (upstream, writable: Writable, options?: ToWritableOptions) => new ToWritable(upstream, writable, options));
