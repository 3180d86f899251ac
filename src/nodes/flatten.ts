import { describeValue } from '../errors';
import { Stream, type Emitted } from '../stream';

declare module '../stream' {
  interface Stream<T> {
    /** Emits each item of an iterable element (arrays, strings, Sets, Maps, generators...), in order. */
    flatten(): Stream<ItemOf<T>>;
    /** Alias of `flatten`. */
    concat(): Stream<ItemOf<T>>;
  }
}

export type ItemOf<T> = T extends Iterable<infer U> ? U : unknown;

/**
 * When the downstream applies back pressure to an item, the next item is emitted only after it
 * accepted that one, so a generator is not pulled ahead of a slow downstream.
 */
export class Flatten<Out> extends Stream<Out> {
  constructor(upstream: Stream<unknown>) {
    super({}, [upstream]);
  }

  override get kind(): string {
    return 'flatten';
  }

  override update(x: unknown): Emitted {
    if (Array.isArray(x)) return this.emitArray(x);
    if (x === null || x === undefined || typeof (x as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`flatten needs iterable elements, got ${describeValue(x)}`);
    }
    const items = (x as Iterable<Out>)[Symbol.iterator]();
    for (let item = items.next(); !item.done; item = items.next()) {
      const pending = this.emit(item.value);
      if (pending !== undefined) return this.hold(this.emitAfter(pending, items));
    }
    return undefined;
  }

  private emitArray(items: Out[]): Emitted {
    for (let i = 0; i < items.length; i++) {
      const pending = this.emit(items[i]);
      if (pending !== undefined) return this.hold(this.emitAfter(pending, items.slice(i + 1).values()));
    }
    return undefined;
  }

  private async emitAfter(pending: Promise<void>, rest: Iterator<Out>): Promise<void> {
    await pending;
    for (let item = rest.next(); !item.done; item = rest.next()) await this.emit(item.value);
  }
}

function flatten(upstream: Stream<unknown>): Stream<unknown> {
  return new Flatten(upstream);
}

Stream.registerApi('flatten', flatten);
Stream.registerApi('concat', flatten);
