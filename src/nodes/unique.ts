import { Stream, type Emitted, type StreamOptions } from '../stream';
import { requireOptions, requirePositiveInteger } from '../validate';
import { keyFunction, type KeySelector } from './support/key-selector';

export interface UniqueOptions<T> extends StreamOptions {
  /** Remember only the `maxsize` most recently seen keys (an LRU); unbounded when absent. */
  maxsize?: number | null;
  /** The key compared instead of the element: a function, or a property name / index. */
  key?: KeySelector<T>;
}

declare module '../stream' {
  interface Stream<T> {
    /**
     * Drops elements whose key was seen before. Keys compare as `Map` keys (SameValueZero):
     * objects and arrays by identity, so equal-looking objects are distinct unless `key` maps
     * them to a primitive (e.g. `key: JSON.stringify`). With `maxsize`, a seen key counts as
     * recent again each time it repeats, and the least recently seen key is forgotten first.
     */
    unique(options?: UniqueOptions<T>): Stream<T>;
  }
}

export class Unique<T> extends Stream<T> {
  private readonly seen = new Map<unknown, true>();
  private readonly keyOf: (x: unknown) => unknown;
  private readonly maxsize: number;

  constructor(upstream: Stream<T>, options: UniqueOptions<T> = {}) {
    requireOptions(options);
    const keyOf = keyFunction('key', options.key);
    const maxsize = options.maxsize == null ? Infinity : requirePositiveInteger('maxsize', options.maxsize);
    super(options, [upstream]);
    this.keyOf = keyOf;
    this.maxsize = maxsize;
  }

  override get kind(): string {
    return 'unique';
  }

  override update(x: T): Emitted {
    const key = this.keyOf(x);
    const seen = this.seen;
    if (seen.has(key)) {
      if (this.maxsize !== Infinity) this.touch(key);
      return undefined;
    }
    seen.set(key, true);
    if (seen.size > this.maxsize) seen.delete(seen.keys().next().value);
    return this.emit(x);
  }

  /** Map iteration follows insertion order, so re-inserting makes `key` the most recent. */
  private touch(key: unknown): void {
    this.seen.delete(key);
    this.seen.set(key, true);
  }
}

Stream.registerApi('unique', (upstream, options?: UniqueOptions<unknown>) => new Unique(upstream, options));
