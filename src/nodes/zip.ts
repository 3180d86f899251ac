import { Fifo } from '../util/fifo';
import { Stream, type Emitted } from '../stream';
import { requirePositiveInteger } from '../validate';
import { Join, splitTrailingOptions, unknownInputError, type ElementsOf } from './support/join';

export interface ZipOptions {
  /** How many elements one stream may run ahead before its `emit` waits for the next tuple (default 10). */
  maxsize?: number;
}

declare module '../stream' {
  interface Stream<T> {
    /**
     * Arrays of one element from this stream and one from each of `others`, in argument order. An
     * argument that is not a Stream is a literal placed at its position; a trailing object that is
     * empty or has `maxsize` is the options.
     */
    zip<A extends unknown[]>(...args: [...others: A, options: ZipOptions]): Stream<[T, ...ElementsOf<A>]>;
    zip<A extends unknown[]>(...others: A): Stream<[T, ...ElementsOf<A>]>;
  }
}

const DEFAULT_MAXSIZE = 10;

/** One position of the output tuple: the buffer of a stream, or a literal. */
interface Slot {
  readonly stream: Stream<unknown> | undefined;
  readonly buffer: Fifo<unknown> | undefined;
  readonly literal: unknown;
}

interface Release {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

export class Zip extends Join {
  private readonly maxsize: number;
  private readonly slots: Slot[] = [];
  /** One buffer per distinct input stream (a stream zipped twice fills both positions from one buffer). */
  private readonly buffers = new Map<Stream<unknown>, Fifo<unknown>>();
  private readonly distinctBuffers: Fifo<unknown>[] = [];
  /** Resolves the emits held back by `maxsize` when the next tuple leaves. */
  private nextTuple: Release | undefined = undefined;

  constructor(values: unknown[], options: ZipOptions) {
    super();
    this.maxsize = requirePositiveInteger('maxsize', options.maxsize ?? DEFAULT_MAXSIZE);
    for (const value of values) this.addSlot(value);
    this.connectInputs([...this.buffers.keys()]);
  }

  override get kind(): string {
    return 'zip';
  }

  override update(x: unknown, from?: Stream<unknown>): Emitted {
    const buffer = from === undefined ? undefined : this.buffers.get(from);
    if (buffer === undefined) throw unknownInputError(this, from);
    buffer.push(x);
    if (buffer.length === 1 && this.ready()) return this.emit(this.takeTuple());
    if (buffer.length > this.maxsize) return this.waitForNextTuple();
    return undefined;
  }

  protected override upstreamAdded(upstream: Stream<unknown>): void {
    if (!this.buffers.has(upstream)) this.addSlot(upstream);
  }

  protected override upstreamRemoved(upstream: Stream<unknown>): void {
    const buffer = this.buffers.get(upstream);
    if (buffer === undefined) return;
    this.buffers.delete(upstream);
    this.distinctBuffers.splice(this.distinctBuffers.indexOf(buffer), 1);
    for (let i = this.slots.length - 1; i >= 0; i--) {
      if (this.slots[i].stream === upstream) this.slots.splice(i, 1);
    }
    // The removed stream may have been the only one missing: what is complete now leaves now.
    while (this.ready()) this.emitOutsideUpdate(this.takeTuple());
    this.releaseWaiting();
  }

  private addSlot(value: unknown): void {
    if (!(value instanceof Stream)) {
      this.slots.push({ stream: undefined, buffer: undefined, literal: value });
      return;
    }
    let buffer = this.buffers.get(value);
    if (buffer === undefined) {
      buffer = new Fifo<unknown>();
      this.buffers.set(value, buffer);
      this.distinctBuffers.push(buffer);
    }
    this.slots.push({ stream: value, buffer, literal: undefined });
  }

  /** True when every input has an element buffered. */
  private ready(): boolean {
    const buffers = this.distinctBuffers;
    if (buffers.length === 0) return false;
    for (let i = 0; i < buffers.length; i++) {
      if (buffers[i].length === 0) return false;
    }
    return true;
  }

  /** Removes the next tuple from the buffers, releasing the emits held back by `maxsize`. */
  private takeTuple(): unknown[] {
    const slots = this.slots;
    const tuple = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const buffer = slots[i].buffer;
      tuple[i] = buffer === undefined ? slots[i].literal : buffer.peek();
    }
    const buffers = this.distinctBuffers;
    for (let i = 0; i < buffers.length; i++) buffers[i].shift();
    this.releaseWaiting();
    return tuple;
  }

  private waitForNextTuple(): Promise<void> {
    if (this.nextTuple === undefined) {
      let resolve: () => void = () => {};
      const promise = new Promise<void>((settle) => {
        resolve = settle;
      });
      this.nextTuple = { promise, resolve };
    }
    return this.nextTuple.promise;
  }

  private releaseWaiting(): void {
    const waiting = this.nextTuple;
    if (waiting === undefined) return;
    this.nextTuple = undefined;
    waiting.resolve();
  }
}

function isZipOptions(value: object): boolean {
  return Object.keys(value).length === 0 || Object.hasOwn(value, 'maxsize');
}

Stream.registerApi('zip', (upstream, ...args: unknown[]) => {
  const { others, options } = splitTrailingOptions<ZipOptions>(args, isZipOptions);
  return new Zip([upstream, ...others], options);
});
