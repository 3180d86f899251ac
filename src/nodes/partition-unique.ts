import { Stream, type Emitted, type StreamOptions } from '../stream';
import { requireOptions, requirePositiveInteger } from '../validate';
import { DistinctByKey, requireKeep, type Keep } from './support/distinct-by-key';
import { keyFunction, type KeySelector } from './support/key-selector';

export interface PartitionUniqueOptions<T> extends StreamOptions {
  /** The key that must be distinct: a function, or a property name / index; the element by default. */
  key?: KeySelector<T> | null;
  /** For a repeated key: keep the `'first'` element (default), or the `'last'` one, moving its key last. */
  keep?: Keep;
}

declare module '../stream' {
  interface Stream<T> {
    /** [partition_unique] Arrays of `n` elements with distinct keys, in the order their keys arrived. */
    partitionUnique(n: number, options?: PartitionUniqueOptions<T>): Stream<T[]>;
  }
}

export class PartitionUnique<T> extends Stream<T[]> {
  private readonly group: DistinctByKey;
  private readonly n: number;

  constructor(upstream: Stream<T>, n: number, options: PartitionUniqueOptions<T> = {}) {
    requireOptions(options);
    requirePositiveInteger('n', n);
    const group = new DistinctByKey(keyFunction('key', options.key), requireKeep('keep', options.keep));
    super(options, [upstream]);
    this.group = group;
    this.n = n;
  }

  override get kind(): string {
    return 'partitionUnique';
  }

  protected override describe(): string | undefined {
    return String(this.n);
  }

  override update(x: T): Emitted {
    this.group.add(x);
    return this.group.size < this.n ? undefined : this.emit(this.group.take() as T[]);
  }
}

Stream.registerApi('partitionUnique', (upstream, n: number, options?: PartitionUniqueOptions<unknown>) => new PartitionUnique(upstream, n, options));
