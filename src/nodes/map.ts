import { Stream, type Emitted, type StreamOptions } from '../stream';
import { isPromiseLike } from '../util/promise';
import { requireFunction } from '../validate';

declare module '../stream' {
  interface Stream<T> {
    /** Emits `fn(x, ...args)`; a returned Promise is awaited and results keep input order. */
    map<R, A extends unknown[] = []>(fn: (x: T, ...args: A) => R, ...args: A): Stream<Awaited<R>>;
  }
}

export class MapNode<In, Out> extends Stream<Out> {
  private ordered: Promise<unknown> = Promise.resolve();
  private asyncPending = 0;
  private readonly emitResult = (value: unknown): Emitted => this.emit(value as Out);
  private readonly asyncSettled = (): void => {
    this.asyncPending--;
  };

  constructor(
    upstream: Stream<In>,
    private readonly fn: (x: In, ...args: unknown[]) => unknown,
    private readonly args: unknown[],
    options?: StreamOptions,
  ) {
    requireFunction('fn', fn);
    super(options, [upstream]);
  }

  override get kind(): string {
    return 'map';
  }

  protected override describe(): string | undefined {
    return this.fn.name || undefined;
  }

  override update(x: In): Emitted {
    const y = this.args.length === 0 ? this.fn(x) : this.fn(x, ...this.args);
    if (this.asyncPending === 0 && !isPromiseLike(y)) return this.emit(y as Out);
    return this.emitInOrder(y);
  }

  /**
   * Async results are emitted in input order, whatever order they settle in; while any is
   * pending, synchronous results queue behind it too.
   */
  private emitInOrder(result: unknown): Promise<void> {
    this.asyncPending++;
    const emitted = this.ordered.then(() => result).then(this.emitResult);
    this.ordered = emitted.then(this.asyncSettled, this.asyncSettled);
    return this.hold(emitted);
  }
}

Stream.registerApi('map', (upstream, fn: (x: unknown, ...args: unknown[]) => unknown, ...args: unknown[]) => new MapNode(upstream, fn, args));
