import { emitDetached } from './support/detached-emit';
import { Fifo } from '../util/fifo';
import { type Emitted, type StreamOptions, Stream } from '../stream';
import { requireFunction, requireOptions, requirePositiveInteger } from '../validate';

export interface MapAsyncOptions extends StreamOptions {
  /** How many calls of `fn` may run at once (default 1). */
  parallelism?: number;
}

declare module '../stream' {
  interface Stream<T> {
    /**
     * [map_async] Runs up to `parallelism` calls of the async `fn` at once and emits their results
     * in input order. `emit` waits only while all calls are taken. A rejected call goes to `errors`
     * and its element is dropped; a synchronous throw from `fn` reaches `emit`.
     */
    mapAsync<R>(fn: (x: T) => R, options?: MapAsyncOptions): Stream<Awaited<R>>;
  }
}

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

/** One call of `fn`, from its start until its result left the node. */
class Call {
  outcome: typeof PENDING | typeof FULFILLED | typeof REJECTED = PENDING;
  value: unknown = undefined;

  constructor(readonly element: unknown) {}
}

/** An element that found every call taken, and the settlers of the promise its `emit` returned. */
interface Blocked {
  readonly element: unknown;
  readonly admit: () => void;
  readonly refuse: (error: unknown) => void;
}

export class MapAsync<In, Out> extends Stream<Out> {
  private readonly fn: (x: never) => unknown;
  private readonly parallelism: number;
  /** Calls in input order; the oldest leaves once it settled, so its slot frees in order too. */
  private readonly calls = new Fifo<Call>();
  private readonly blocked = new Fifo<Blocked>();
  /** Results are being emitted (or the downstream is taking one asynchronously). */
  private emitting = false;

  constructor(upstream: Stream<In>, fn: (x: In) => unknown, options: MapAsyncOptions = {}) {
    requireFunction('fn', fn);
    requireOptions(options);
    const parallelism = requirePositiveInteger('parallelism', options.parallelism ?? 1);
    super(options, [upstream]);
    this.fn = fn;
    this.parallelism = parallelism;
  }

  override get kind(): string {
    return 'mapAsync';
  }

  protected override describe(): string | undefined {
    return this.fn.name || undefined;
  }

  override update(x: In): Emitted {
    if (this.calls.length < this.parallelism) {
      this.call(x);
      return undefined;
    }
    this.holdStarted();
    return new Promise<void>((admit, refuse) => this.blocked.push({ element: x, admit, refuse }));
  }

  /** Calls `fn(x)`; a synchronous throw leaves the node unchanged and reaches the caller. */
  private call(x: unknown): void {
    const result = (this.fn as (x: unknown) => unknown)(x);
    const call = new Call(x);
    this.calls.push(call);
    this.holdStarted();
    Promise.resolve(result).then(
      (value) => this.settle(call, FULFILLED, value),
      (error: unknown) => this.settle(call, REJECTED, error),
    );
  }

  private settle(call: Call, outcome: typeof FULFILLED | typeof REJECTED, value: unknown): void {
    call.outcome = outcome;
    call.value = value;
    this.emitSettled();
  }

  /** Emits the results of the oldest settled calls, in input order, pausing on an async downstream. */
  private emitSettled(): void {
    if (this.emitting) return;
    this.emitting = true;
    while (this.calls.length > 0 && this.calls.peek().outcome !== PENDING) {
      const call = this.calls.shift();
      this.admitBlocked();
      if (call.outcome === REJECTED) {
        this.reportError(call.element, call.value);
        this.holdEnded();
        continue;
      }
      const pending = emitDetached(this, call.value as Out);
      if (pending !== undefined) {
        void pending.then(this.emittedAsync);
        return;
      }
      this.holdEnded();
    }
    this.emitting = false;
  }

  private readonly emittedAsync = (): void => {
    this.holdEnded();
    this.emitting = false;
    this.emitSettled();
  };

  private admitBlocked(): void {
    while (this.blocked.length > 0 && this.calls.length < this.parallelism) {
      const { element, admit, refuse } = this.blocked.shift();
      try {
        this.call(element);
        admit();
      } catch (error) {
        refuse(error);
      } finally {
        this.holdEnded();
      }
    }
  }
}

Stream.registerApi('mapAsync', (upstream, fn: (x: unknown) => unknown, options?: MapAsyncOptions) => new MapAsync(upstream, fn, options));
