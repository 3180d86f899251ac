import { Stream, type Emitted } from '../stream';

declare module '../stream' {
  interface Stream<T> {
    /** Keeps every element until `flush()`, which emits them as one array. */
    collect(): Collect<T>;
  }
}

/**
 * Keeps elements and emits nothing until `flush()`. Kept elements do not count as held for
 * `drain()`: they wait for a flush, not for downstream work.
 */
export class Collect<T> extends Stream<T[]> {
  private kept: T[] = [];

  constructor(upstream: Stream<T>) {
    super({}, [upstream]);
  }

  override get kind(): string {
    return 'collect';
  }

  override update(x: T): Emitted {
    this.markActive();
    this.kept.push(x);
    return undefined;
  }

  /**
   * Emits the kept elements as one array (an empty one too) and starts over. Bound, and ignores
   * its argument, so it can be a sink callback: `trigger.sink(collector.flush)`. Returns what the
   * downstream returned, so a caller may await it.
   */
  readonly flush = (_trigger?: unknown): Emitted => {
    const kept = this.kept;
    this.kept = [];
    return this.emit(kept);
  };
}

Stream.registerApi('collect', (upstream) => new Collect(upstream));
