import { type Emitted, type StreamOptions, Stream } from '../stream';
import { Fifo } from '../util/fifo';
import { SerialRelay } from './support/serial-relay';
import { requirePositiveInteger } from '../validate';

declare module '../stream' {
  interface Stream<T> {
    /**
     * Lets up to `n` elements wait for a slow downstream before `emit` waits; order is kept. A
     * downstream failure goes to `errors` and later elements still flow.
     */
    buffer(n: number): Stream<T>;
  }
}

/** An element that found the buffer full, and the resolver of the promise its `emit` returned. */
interface Blocked {
  readonly element: unknown;
  readonly admit: () => void;
}

/**
 * streamz's `buffer`: one element on its way downstream plus up to `n` queued; the next `emit`
 * waits until the oldest queued element moved on. No promise is made while there is room.
 */
export class BufferNode<T> extends SerialRelay<T> {
  private readonly queued: Fifo<unknown>;
  private readonly blocked: Fifo<Blocked>;

  constructor(
    upstream: Stream<T>,
    private readonly n: number,
    options?: StreamOptions,
  ) {
    requirePositiveInteger('n', n);
    super(options, [upstream]);
    this.queued = new Fifo();
    this.blocked = new Fifo();
  }

  override get kind(): string {
    return 'buffer';
  }

  protected override keep(x: T): Emitted {
    this.holdStarted();
    if (this.queued.length < this.n) {
      this.queued.push(x);
      return undefined;
    }
    return new Promise<void>((admit) => this.blocked.push({ element: x, admit }));
  }

  protected override hasWaiting(): boolean {
    return this.queued.length > 0;
  }

  /** The oldest queued element; the oldest blocked one takes its place in the queue. */
  protected override takeWaiting(): unknown {
    const next = this.queued.shift();
    if (this.blocked.length > 0) {
      const waiting = this.blocked.shift();
      this.queued.push(waiting.element);
      waiting.admit();
    }
    return next;
  }
}

Stream.registerApi('buffer', (upstream, n: number) => new BufferNode(upstream, n));
