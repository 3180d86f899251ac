import { Stream, type Emitted, type StreamOptions } from '../stream';
import { requireFunction } from '../validate';
import type { Predicate } from './filter';

declare module '../stream' {
  interface Stream<T> {
    /** `filter` negated: emits `x` when `predicate(x, ...args)` is falsy. */
    remove<A extends unknown[] = []>(predicate: (x: T, ...args: A) => unknown, ...args: A): Stream<T>;
  }
}

export class RemoveNode<T> extends Stream<T> {
  private readonly predicate: Predicate<T>;

  constructor(
    upstream: Stream<T>,
    predicate: Predicate<T>,
    private readonly args: unknown[],
    options?: StreamOptions,
  ) {
    requireFunction('predicate', predicate);
    super(options, [upstream]);
    this.predicate = predicate;
  }

  override get kind(): string {
    return 'remove';
  }

  protected override describe(): string | undefined {
    return this.predicate.name || undefined;
  }

  override update(x: T): Emitted {
    const drop = this.args.length === 0 ? this.predicate(x) : this.predicate(x, ...this.args);
    return drop ? undefined : this.emit(x);
  }
}

Stream.registerApi('remove', (upstream, predicate: Predicate<unknown>, ...args: unknown[]) => new RemoveNode(upstream, predicate, args));
