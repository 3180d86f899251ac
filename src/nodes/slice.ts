import { Stream, type Emitted } from '../stream';
import { requireNonNegativeInteger, requirePositiveInteger } from '../validate';

declare module '../stream' {
  interface Stream<T> {
    /**
     * Elements by index, like `array.slice` with a step: from index `start` (default 0) up to but
     * excluding `end` (default: no end), keeping indexes divisible by `step` (default 1). As in
     * streamz, `step` applies to the absolute index: `slice(1, null, 2)` keeps indexes 2, 4, 6...
     * Negative values throw an ArgumentRangeError.
     */
    slice(start?: number | null, end?: number | null, step?: number | null): Stream<T>;
  }
}

export class SliceNode<T> extends Stream<T> {
  private readonly from: number;
  private readonly until: number;
  private readonly step: number;
  private index = 0;

  constructor(upstream: Stream<T>, start?: number | null, end?: number | null, step?: number | null) {
    const first = start == null ? 0 : requireNonNegativeInteger('start', start);
    const stop = end == null ? Infinity : requireNonNegativeInteger('end', end);
    const stride = step == null ? 1 : requirePositiveInteger('step', step);
    super({}, [upstream]);
    this.from = first;
    this.until = stop;
    this.step = stride;
  }

  override get kind(): string {
    return 'slice';
  }

  protected override describe(): string | undefined {
    const end = this.until === Infinity ? '' : String(this.until);
    return this.step === 1 ? `${this.from}:${end}` : `${this.from}:${end}:${this.step}`;
  }

  override update(x: T): Emitted {
    const i = this.index;
    if (i >= this.until) return undefined;
    this.index = i + 1;
    return i >= this.from && i % this.step === 0 ? this.emit(x) : undefined;
  }
}

Stream.registerApi('slice', (upstream, start?: number | null, end?: number | null, step?: number | null) => new SliceNode(upstream, start, end, step));
