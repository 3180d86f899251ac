import { Stream, type Emitted, type StreamOptions } from '../stream';
import { requireFunction } from '../validate';

export interface AccumulateOptions<S> extends StreamOptions {
  /** The initial state (`null` counts; `undefined` means none): without one the first element becomes the state and is emitted unchanged. */
  start?: S;
  /** `fn` returns `[state, result]` and `result` is emitted. */
  returnsState?: boolean;
  /** Emit `[state, result]` instead of the result. */
  withState?: boolean;
}

declare module '../stream' {
  interface Stream<T> {
    /** `state = fn(state, x)`, emitting the new state (streamz `accumulate`). */
    accumulate<S>(fn: (state: S, x: T) => S, options?: AccumulateOptions<S>): Stream<S>;
    accumulate<S, R>(fn: (state: S, x: T) => [S, R], options: AccumulateOptions<S> & { returnsState: true }): Stream<R>;
    /** Alias of `accumulate`. */
    scan<S>(fn: (state: S, x: T) => S, options?: AccumulateOptions<S>): Stream<S>;
    scan<S, R>(fn: (state: S, x: T) => [S, R], options: AccumulateOptions<S> & { returnsState: true }): Stream<R>;
  }
}

export class Accumulate<S, In, Out> extends Stream<Out> {
  private acc: S | undefined;
  private hasState: boolean;
  private readonly returnsState: boolean;
  private readonly withState: boolean;

  constructor(
    upstream: Stream<In>,
    private readonly fn: (state: S, x: In) => unknown,
    options: AccumulateOptions<S> = {},
  ) {
    requireFunction('fn', fn);
    super(options, [upstream]);
    this.hasState = options.start !== undefined;
    this.acc = options.start;
    this.returnsState = options.returnsState ?? false;
    this.withState = options.withState ?? false;
  }

  override get kind(): string {
    return 'accumulate';
  }

  protected override describe(): string | undefined {
    return this.fn.name || undefined;
  }

  override update(x: In): Emitted {
    if (!this.hasState) {
      this.hasState = true;
      this.acc = x as unknown as S;
      return this.emit((this.withState ? [x, x] : x) as Out);
    }
    const next = this.fn(this.acc as S, x);
    let result: unknown;
    if (this.returnsState) {
      const [state, value] = next as [S, unknown];
      this.acc = state;
      result = value;
    } else {
      this.acc = next as S;
      result = next;
    }
    return this.emit((this.withState ? [this.acc, result] : result) as Out);
  }
}

function accumulate(upstream: Stream<unknown>, fn: (state: unknown, x: unknown) => unknown, options?: AccumulateOptions<unknown>): Stream<unknown> {
  return new Accumulate(upstream, fn, options);
}

Stream.registerApi('accumulate', accumulate);
Stream.registerApi('scan', accumulate);
