import { Stream, type Emitted, type StreamOptions } from '../stream';
import { ignore, isPromiseLike } from '../promise';
import { requireFunction } from '../validate';

declare module '../stream' {
  interface Stream<T> {
    /** Emits `fn(x, ...args)`; a returned Promise is awaited and results keep input order. */
    map<R, A extends unknown[] = []>(fn: (x: T, ...args: A) => R, ...args: A): Stream<Awaited<R>>;
  }
}

export class MapNode<In, Out> extends Stream<Out> {
  private ordered: Promise<unknown> = Promise.resolve();
  private readonly emitResult = (value: unknown): Emitted => this.emit(value as Out);

  constructor(
    upstream: Stream<In>,
    private readonly fn: (x: In, ...args: unknown[]) => unknown,
    private readonly args: unknown[],
    options?: StreamOptions,
  ) {
    super(options, [upstream]);
    requireFunction('fn', fn);
  }

  override get kind(): string {
    return 'map';
  }

  protected override describe(): string | undefined {
    return this.fn.name || undefined;
  }

  override update(x: In): Emitted {
    const y = this.args.length === 0 ? this.fn(x) : this.fn(x, ...this.args);
    if (!isPromiseLike(y)) return this.emit(y as Out);
    return this.emitInOrder(y);
  }

  /** Async results are emitted in input order, whatever order they settle in. */
  private emitInOrder(result: PromiseLike<unknown>): Promise<void> {
    const emitted = this.ordered.then(() => result).then(this.emitResult);
    this.ordered = emitted.then(ignore, ignore);
    return this.hold(emitted);
  }
}

Stream.registerApi('map', (upstream, fn: (x: unknown, ...args: unknown[]) => unknown, ...args: unknown[]) => new MapNode(upstream, fn, args));
