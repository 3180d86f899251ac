import { Stream, type Emitted, type StreamOptions } from '../stream';
import { requireFunction } from '../validate';

declare module '../stream' {
  interface Stream<T> {
    /** Emits `x` when `predicate(x, ...args)` is truthy; without a predicate, keeps truthy elements. */
    filter<A extends unknown[] = []>(predicate?: ((x: T, ...args: A) => unknown) | null, ...args: A): Stream<T>;
  }
}

export type Predicate<T> = (x: T, ...args: unknown[]) => unknown;

export class FilterNode<T> extends Stream<T> {
  private readonly predicate: Predicate<T>;

  constructor(
    upstream: Stream<T>,
    predicate: Predicate<T> | null | undefined,
    private readonly args: unknown[],
    options?: StreamOptions,
  ) {
    const checked = predicate == null ? Boolean : requireFunction('predicate', predicate);
    super(options, [upstream]);
    this.predicate = checked;
  }

  override get kind(): string {
    return 'filter';
  }

  protected override describe(): string | undefined {
    return this.predicate === Boolean ? undefined : this.predicate.name || undefined;
  }

  override update(x: T): Emitted {
    const keep = this.args.length === 0 ? this.predicate(x) : this.predicate(x, ...this.args);
    return keep ? this.emit(x) : undefined;
  }
}

Stream.registerApi('filter', (upstream, predicate?: Predicate<unknown> | null, ...args: unknown[]) => new FilterNode(upstream, predicate, args));
