import { type Emitted, type StreamOptions, Stream } from '../stream';
import { SerialRelay } from './support/serial-relay';

declare module '../stream' {
  interface Stream<T> {
    /**
     * Never makes `emit` wait: while the downstream is busy, only the newest element is kept and
     * passed on when the downstream is done (streamz can lose it; Rivulet never does).
     */
    latest(): Stream<T>;
  }
}

export class Latest<T> extends SerialRelay<T> {
  private waiting = false;
  private newest: unknown = undefined;

  constructor(upstream: Stream<T>, options?: StreamOptions) {
    super(options, [upstream]);
  }

  override get kind(): string {
    return 'latest';
  }

  protected override keep(x: T): Emitted {
    if (!this.waiting) {
      this.waiting = true;
      this.holdStarted();
    }
    this.newest = x;
    return undefined;
  }

  protected override hasWaiting(): boolean {
    return this.waiting;
  }

  protected override takeWaiting(): unknown {
    const x = this.newest;
    this.waiting = false;
    this.newest = undefined;
    return x;
  }
}

Stream.registerApi('latest', (upstream) => new Latest(upstream));
