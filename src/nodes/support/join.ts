// Pieces shared by the join operators (zip, zipLatest, combineLatest, union).
import { emitDetached } from './detached-emit';
import { ArgumentTypeError } from '../../errors';
import { Stream } from '../../stream';

/** The element type of a stream; any other value (a zip literal) stands for itself. */
export type ElementOf<S> = S extends Stream<infer U> ? U : S;

/** Maps a tuple of streams (and literals) to the tuple of their element types. */
export type ElementsOf<A extends readonly unknown[]> = { [K in keyof A]: ElementOf<A[K]> };

/**
 * Splits variadic join arguments into the joined values and a trailing options object, which
 * `isOptions` recognises (it never sees a Stream).
 */
export function splitTrailingOptions<O extends object>(args: unknown[], isOptions: (value: object) => boolean): { others: unknown[]; options: O } {
  const last = args[args.length - 1];
  if (isPlainObject(last) && isOptions(last)) return { others: args.slice(0, -1), options: last as O };
  return { others: args, options: {} as O };
}

function isPlainObject(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export function requireStreams(argument: string, values: unknown[]): Stream<unknown>[] {
  values.forEach((value, i) => {
    if (!(value instanceof Stream)) throw new ArgumentTypeError(`${argument}[${i}]`, 'a Stream', value);
  });
  return values as Stream<unknown>[];
}

export function unknownInputError(node: Stream<unknown>, from: Stream<unknown> | undefined): Error {
  return new Error(`${node} received an element from ${from === undefined ? 'no stream' : String(from)}, which is not one of its inputs`);
}

/** A join node: elements arrive from several upstreams, told apart by `update`'s `from`. */
export abstract class Join extends Stream<unknown[]> {
  /** Connects this node under each distinct stream (a stream joined twice is connected once). */
  protected connectInputs(streams: ReadonlyArray<Stream<unknown>>): void {
    for (const stream of streams) stream.connect(this);
  }

  /**
   * Emits a tuple outside any upstream's `emit` (after a disconnect): nobody can receive its
   * failure, so it goes to `errors`, and asynchronous work is held for `drain()`.
   */
  protected emitOutsideUpdate(tuple: unknown[]): void {
    const pending = emitDetached(this, tuple);
    if (pending !== undefined) this.hold(pending);
  }
}

/**
 * The latest value of each of several streams, by position (a stream may hold several positions,
 * which all take its values). Tracks how many positions have not received a value yet.
 */
export class LatestValues {
  readonly streams: Stream<unknown>[] = [];
  readonly values: unknown[] = [];
  private readonly seen: boolean[] = [];
  private missing = 0;

  constructor(streams: ReadonlyArray<Stream<unknown>>) {
    for (const stream of streams) this.add(stream);
  }

  /** True once every position has a value. */
  get complete(): boolean {
    return this.missing === 0;
  }

  has(stream: Stream<unknown>): boolean {
    return this.streams.includes(stream);
  }

  add(stream: Stream<unknown>): void {
    this.streams.push(stream);
    this.values.push(undefined);
    this.seen.push(false);
    this.missing++;
  }

  /** Drops every position of `stream`. */
  remove(stream: Stream<unknown>): void {
    for (let i = this.streams.length - 1; i >= 0; i--) {
      if (this.streams[i] !== stream) continue;
      if (!this.seen[i]) this.missing--;
      this.streams.splice(i, 1);
      this.values.splice(i, 1);
      this.seen.splice(i, 1);
    }
  }

  /** Stores `x` at every position of `from`; false if `from` holds none. */
  set(from: Stream<unknown> | undefined, x: unknown): boolean {
    let found = false;
    for (let i = 0; i < this.streams.length; i++) {
      if (this.streams[i] !== from) continue;
      found = true;
      this.values[i] = x;
      if (!this.seen[i]) {
        this.seen[i] = true;
        this.missing--;
      }
    }
    return found;
  }
}
