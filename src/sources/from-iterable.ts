import { ArgumentTypeError } from '../errors';
import { isPromiseLike } from '../util/promise';
import { registerSource, Source, startIfAsked, type SourceOptions } from './source';

declare module '../stream' {
  namespace Stream {
    /**
     * Emits each item of `iterable` (sync or async), pulling the next one only after downstream
     * accepted the previous one. Finishes when the iterable is exhausted, and stays finished: it
     * never replays the iterable. `stop()` pauses it and `start()` continues where it stopped;
     * after a failure, `start()` begins a fresh pass.
     */
    function fromIterable<T>(iterable: Iterable<T> | AsyncIterable<T>, options?: SourceOptions): FromIterable<T>;
  }
}

/** Synchronously handled elements in a row before the pump lets the event loop run. */
const YIELD_EVERY = 1000;

export class FromIterable<T> extends Source<T> {
  private iterator: Iterator<T> | AsyncIterator<T> | undefined = undefined;
  /** An item pulled from an async iterator while the source was being stopped. */
  private carried: IteratorResult<T> | undefined = undefined;
  private pumping = false;

  constructor(
    private readonly iterable: Iterable<T> | AsyncIterable<T>,
    options?: SourceOptions,
  ) {
    super(options);
    if (!isIterable(iterable)) throw new ArgumentTypeError('iterable', 'an iterable or async iterable', iterable);
  }

  override get kind(): string {
    return 'fromIterable';
  }

  protected override open(): void {
    this.producingStarted();
    if (!this.pumping) void this.pump();
  }

  protected override close(): void {}

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      let inARow = 0;
      while (this.isRunning) {
        const next = this.pull();
        const result = isPromiseLike(next) ? await next : next;
        if (result.done === true) {
          this.iterator = undefined;
          this.finish();
          return;
        }
        if (!this.isRunning) {
          this.carried = result;
          return;
        }
        const accepted = this.deliver(result.value);
        if (accepted !== undefined) {
          await accepted;
          inARow = 0;
        } else if (++inARow >= YIELD_EVERY) {
          inARow = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    } catch (error) {
      this.iterator = undefined;
      this.fail(error);
    } finally {
      this.pumping = false;
    }
  }

  private pull(): IteratorResult<T> | Promise<IteratorResult<T>> {
    const carried = this.carried;
    if (carried !== undefined) {
      this.carried = undefined;
      return carried;
    }
    this.iterator ??= openIterator(this.iterable);
    return this.iterator.next();
  }
}

function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  if (value === null || value === undefined) return false;
  const candidate = value as Partial<Iterable<unknown> & AsyncIterable<unknown>>;
  return typeof candidate[Symbol.asyncIterator] === 'function' || typeof candidate[Symbol.iterator] === 'function';
}

function openIterator<T>(iterable: Iterable<T> | AsyncIterable<T>): Iterator<T> | AsyncIterator<T> {
  const openAsync = (iterable as Partial<AsyncIterable<T>>)[Symbol.asyncIterator];
  if (typeof openAsync === 'function') return openAsync.call(iterable);
  return (iterable as Iterable<T>)[Symbol.iterator]();
}

export function fromIterable<T>(iterable: Iterable<T> | AsyncIterable<T>, options?: SourceOptions): FromIterable<T> {
  return startIfAsked(new FromIterable(iterable, options), options);
}

registerSource('fromIterable', fromIterable);
