import { toPipelineError } from '../errors';
import { Stream, type Emitted, type StreamOptions } from '../stream';
import { emitDetached } from '../nodes/support/detached-emit';
import { ignore } from '../util/promise';

export interface SourceOptions extends StreamOptions {
  /**
   * Start on the next microtask, so the nodes attached right after construction see every
   * element (and `drain()` called meanwhile waits for the source).
   */
  start?: boolean;
}

/**
 * A node that feeds a pipeline from the outside world. It has no upstreams; `start()` opens it
 * (a server listens, a file is polled, an iterator is pulled) and `stop()` closes it. Its lifecycle
 * is `idle` until started, then `running`, and ends `stopped`, `finished` (input ran out) or
 * `failed` (start or input failed; the error also goes to `errors`). A stopped or failed source
 * can be started again; a finished or destroyed one cannot (`start()` does nothing).
 *
 * A source takes the next input only after downstream accepted the previous one, and `drain()`
 * waits while it is busy handing an element over.
 */
export abstract class Source<T> extends Stream<T> {
  private running = false;
  /** It finished or was destroyed: there is nothing more to start. */
  private over = false;
  private starting: Promise<void> | undefined = undefined;
  private busyCount = 0;
  private producing = false;
  private idleWaiters: Array<() => void> = [];

  constructor(options: SourceOptions = {}) {
    super(options);
  }

  /** Whether the source was started and has not stopped, finished or failed since. */
  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Opens the source. Resolves once it runs (a server listens); rejects when it cannot start, for
   * example a port in use. That rejection is the report: `errors` subscribers get the failure
   * too, but nothing is logged. Starting a running source returns the same promise; starting a
   * finished or destroyed source resolves at once and emits nothing (it never replays its input).
   */
  override start(): Promise<void> {
    return this.begin(true);
  }

  /**
   * Starts on the next microtask (what `{ start: true }` does), so the nodes attached right after
   * construction see every element; `drain()` called meanwhile waits for the source.
   */
  startSoon(): this {
    this.busyStarted();
    // a promise job rather than queueMicrotask, which jest's fake timers replace
    void Promise.resolve().then(() => {
      void this.begin(false);
      this.busyEnded();
    });
    return this;
  }

  /** Closes the source; it takes no more input. Resolves when its resources are released. */
  override async stop(): Promise<void> {
    if (!this.running) return;
    const starting = this.ended();
    this.markStopped();
    await starting?.catch(ignore);
    await this.close();
  }

  /** Stops the source for good, then detaches it like any node. */
  override destroy(): void {
    this.over = true;
    void this.stop().catch((error: unknown) => this.reportError(undefined, error));
    super.destroy();
  }

  /** Acquires what the source reads from and begins producing. */
  protected abstract open(): Promise<void> | void;

  /** Releases what `open()` acquired; called once per stop, finish or failure. */
  protected abstract close(): Promise<void> | void;

  /** For subclasses: the input ran out. */
  protected finish(): void {
    if (!this.running) return;
    this.over = true;
    this.ended();
    this.markFinished();
    this.closeQuietly();
  }

  /** For subclasses: the input failed; the source stops and the error goes to `errors`. */
  protected fail(error: unknown): void {
    this.failed(error, true);
  }

  /** Stops on `error`; `log`: when no `errors` subscriber gets it (false when a caller receives it). */
  private failed(error: unknown, log: boolean): void {
    if (!this.running) return;
    this.ended();
    this.markFailed(error);
    if (log) this.reportError(undefined, error);
    else this.publishError(toPipelineError(String(this), undefined, error));
    this.closeQuietly();
  }

  /**
   * Emits `x`; a source has no emit caller, so failures go to `errors`. Returns a promise (that
   * never rejects) when downstream has not accepted `x` yet; `drain()` waits for it.
   */
  protected deliver(x: T): Promise<void> | undefined {
    const accepted = emitDetached(this, x);
    return accepted === undefined ? undefined : this.busyUntil(accepted);
  }

  /** Emits `x` and lets `drain()` wait while downstream has not accepted it; failures reach the caller. */
  protected offer(x: T): Emitted {
    const result = this.emit(x);
    return result === undefined ? undefined : this.busyUntil(result);
  }

  /** Lets `drain()` wait until `work` settles. */
  private busyUntil(work: Promise<void>): Promise<void> {
    this.busyStarted();
    return work.finally(this.busyEnded);
  }

  /**
   * For subclasses: `drain()` waits while the source is producing (pulling an iterator, polling)
   * until `producingEnded()` or until the source stops, finishes or fails, so a stopped source
   * never keeps `drain()` waiting for input that may never come.
   */
  protected producingStarted(): void {
    if (this.producing) return;
    this.producing = true;
    this.busyStarted();
  }

  protected producingEnded(): void {
    if (!this.producing) return;
    this.producing = false;
    this.busyEnded();
  }

  private busyStarted(): void {
    this.busyCount++;
  }

  private readonly busyEnded = (): void => {
    if (--this.busyCount > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  protected override settled(): Promise<void> | undefined {
    const held = super.settled();
    if (this.busyCount === 0) return held;
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    return held === undefined ? idle : Promise.all([held, idle]).then(ignore);
  }

  /** `byCaller`: `start()` returns the result, so a failure to open is not logged (the caller has it). */
  private begin(byCaller: boolean): Promise<void> {
    if (this.starting !== undefined) return this.starting;
    if (this.over) return Promise.resolve();
    const launched = this.launch(byCaller);
    // a source may already have finished or failed while opening (a short synchronous iterable)
    if (this.running) this.starting = launched;
    return launched;
  }

  private launch(byCaller: boolean): Promise<void> {
    this.running = true;
    this.markStarted();
    let opened: Promise<void> | void;
    try {
      opened = this.open();
    } catch (error) {
      opened = Promise.reject(error);
    }
    const launched = Promise.resolve(opened).catch((error: unknown) => {
      this.failed(error, !byCaller);
      throw error;
    });
    if (!byCaller) launched.catch(ignore);
    return launched;
  }

  /** Leaves the running state; returns the start promise of the run that ended. */
  private ended(): Promise<void> | undefined {
    const starting = this.starting;
    this.running = false;
    this.starting = undefined;
    this.producingEnded();
    return starting;
  }

  private closeQuietly(): void {
    let closed: Promise<void> | void;
    try {
      closed = this.close();
    } catch (error) {
      this.reportError(undefined, error);
      return;
    }
    if (closed !== undefined) closed.catch((error: unknown) => this.reportError(undefined, error));
  }
}

/** Calls `startSoon()` when the options ask for it (`{ start: true }`); returns the source. */
export function startIfAsked<S extends Source<unknown>>(source: S, options: SourceOptions | undefined): S {
  return options?.start === true ? source.startSoon() : source;
}

/** Adds a static factory to `Stream` (`Stream.fromTcp(...)`); its type comes from a namespace augmentation. */
export function registerSource(name: string, factory: (...args: never[]) => Source<unknown>): void {
  if (Object.prototype.hasOwnProperty.call(Stream, name)) throw new Error(`Stream already has a static member named '${name}'`);
  Object.defineProperty(Stream, name, { value: factory, writable: true, configurable: true });
}
