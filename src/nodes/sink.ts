import { Stream, type Emitted, type StreamOptions } from '../stream';
import { ignore, isPromiseLike } from '../util/promise';
import { requireFunction } from '../validate';

declare module '../stream' {
  interface Stream<T> {
    /** Calls `fn(x, ...args)` for each element; a returned Promise applies back pressure. */
    sink<A extends unknown[] = []>(fn: (x: T, ...args: A) => unknown, ...args: A): Sink<T>;
  }
}

/** A node that hands elements to the outside world and emits nothing. */
export class Sink<T> extends Stream<never> {
  constructor(
    upstream: Stream<T>,
    private readonly fn: (x: never, ...args: unknown[]) => unknown,
    private readonly args: unknown[],
    options?: StreamOptions,
  ) {
    requireFunction('fn', fn);
    super(options, [upstream]);
  }

  override get kind(): string {
    return 'sink';
  }

  protected override describe(): string | undefined {
    return this.fn.name || undefined;
  }

  override update(x: T): Emitted {
    this.markActive();
    const fn = this.fn as (x: T, ...args: unknown[]) => unknown;
    const result = this.args.length === 0 ? fn(x) : fn(x, ...this.args);
    if (isPromiseLike(result)) return this.hold(Promise.resolve(result).then(ignore));
    return undefined;
  }
}

Stream.registerApi('sink', (upstream, fn: (x: unknown, ...args: unknown[]) => unknown, ...args: unknown[]) => new Sink(upstream, fn, args));
