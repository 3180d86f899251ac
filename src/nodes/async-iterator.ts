import { Stream, type Emitted } from '../stream';
import { Fifo } from '../util/fifo';

declare module '../stream' {
  interface Stream<T> {
    /** `for await (const x of stream)`: each element is handed over only when the loop asks for it. */
    [Symbol.asyncIterator](): AsyncIterableIterator<T>;
  }
}

/**
 * The node behind `for await`: an element the loop has not asked for yet waits here, and its
 * `update` stays pending until the consumer takes it, which is the back pressure.
 */
export class AsyncIteratorNode<T> extends Stream<never> {
  /** Elements emitted without awaiting, each paired with the release of its pending `update`. */
  private readonly buffered = new Fifo<T>();
  private readonly producers = new Fifo<() => void>();
  private consumer: ((result: IteratorResult<T>) => void) | undefined = undefined;
  private done = false;

  constructor(upstream: Stream<T>) {
    super({}, [upstream]);
  }

  override get kind(): string {
    return 'asyncIterator';
  }

  override update(x: T): Emitted {
    this.markActive();
    if (this.done) return undefined;
    const consumer = this.consumer;
    if (consumer !== undefined) {
      this.consumer = undefined;
      consumer({ value: x, done: false });
      return undefined;
    }
    this.buffered.push(x);
    return this.hold(new Promise<void>((resolve) => this.producers.push(resolve)));
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffered.length > 0) {
      const value = this.buffered.shift();
      this.producers.shift()();
      return Promise.resolve({ value, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.consumer = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.done = true;
    this.destroy();
    while (this.buffered.length > 0) {
      this.buffered.shift();
      this.producers.shift()();
    }
    this.consumer?.({ value: undefined, done: true });
    this.consumer = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }
}

Object.defineProperty(Stream.prototype, Symbol.asyncIterator, {
  value: function <T>(this: Stream<T>): AsyncIterableIterator<T> {
    const node = new AsyncIteratorNode<T>(this);
    return {
      next: () => node.next(),
      return: () => node.return(),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  },
  writable: true,
  configurable: true,
});
