import { Stream, type Emitted, type StreamOptions } from '../stream';
import { requireOptions, requirePositiveInteger } from '../validate';

export interface SlidingWindowOptions extends StreamOptions {
  /** Also emit the growing windows before the first `n` elements arrived (default `true`, as streamz). */
  returnPartial?: boolean;
}

declare module '../stream' {
  interface Stream<T> {
    /** [sliding_window] After each element, a new array of the last `n` elements, oldest first. */
    slidingWindow(n: number, options?: SlidingWindowOptions): Stream<T[]>;
  }
}

export class SlidingWindow<T> extends Stream<T[]> {
  private readonly window: T[] = [];
  private readonly n: number;
  private readonly returnPartial: boolean;

  constructor(upstream: Stream<T>, n: number, options: SlidingWindowOptions = {}) {
    requireOptions(options);
    requirePositiveInteger('n', n);
    super(options, [upstream]);
    this.n = n;
    this.returnPartial = options.returnPartial ?? true;
  }

  override get kind(): string {
    return 'slidingWindow';
  }

  protected override describe(): string | undefined {
    return String(this.n);
  }

  override update(x: T): Emitted {
    const window = this.window;
    window.push(x);
    if (window.length > this.n) window.shift();
    return this.returnPartial || window.length === this.n ? this.emit(window.slice()) : undefined;
  }
}

Stream.registerApi('slidingWindow', (upstream, n: number, options?: SlidingWindowOptions) => new SlidingWindow(upstream, n, options));
