import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import { Stream, type Emitted } from '../stream';
import { Join, LatestValues, requireStreams, splitTrailingOptions, unknownInputError, type ElementsOf } from './support/join';

/** A joined stream, or its position among `[this, ...others]`. */
export type EmitOnInput = Stream<unknown> | number;

export interface CombineLatestOptions {
  /** Only elements of these inputs trigger an emit (default: every input, also ones connected later). */
  emitOn?: EmitOnInput | ReadonlyArray<EmitOnInput>;
}

declare module '../stream' {
  interface Stream<T> {
    /**
     * Arrays of the latest element of this stream and of each of `others`, emitted on every
     * element (of an `emitOn` input) once every input has emitted at least once.
     */
    combineLatest<A extends Stream<unknown>[]>(...others: A): Stream<[T, ...ElementsOf<A>]>;
    combineLatest<A extends Stream<unknown>[]>(...args: [...others: A, options: CombineLatestOptions]): Stream<[T, ...ElementsOf<A>]>;
  }
}

export class CombineLatest extends Join {
  private readonly inputs: LatestValues;
  /** The inputs whose elements trigger an emit; `undefined` for every input. */
  private readonly triggers: ReadonlySet<unknown> | undefined;

  constructor(streams: Stream<unknown>[], options: CombineLatestOptions) {
    super();
    this.inputs = new LatestValues(streams);
    this.triggers = options.emitOn === undefined ? undefined : resolveEmitOn(options.emitOn, streams);
    this.connectInputs(streams);
  }

  override get kind(): string {
    return 'combineLatest';
  }

  override update(x: unknown, from?: Stream<unknown>): Emitted {
    if (!this.inputs.set(from, x)) throw unknownInputError(this, from);
    if (!this.inputs.complete || (this.triggers !== undefined && !this.triggers.has(from))) return undefined;
    return this.emit(this.inputs.values.slice());
  }

  protected override upstreamAdded(upstream: Stream<unknown>): void {
    if (!this.inputs.has(upstream)) this.inputs.add(upstream);
  }

  protected override upstreamRemoved(upstream: Stream<unknown>): void {
    this.inputs.remove(upstream);
  }
}

function resolveEmitOn(emitOn: EmitOnInput | ReadonlyArray<EmitOnInput>, streams: Stream<unknown>[]): Set<Stream<unknown>> {
  const items: unknown[] = Array.isArray(emitOn) ? emitOn : [emitOn];
  if (items.length === 0) throw new ArgumentRangeError('emitOn', 'at least one stream or index', emitOn);
  return new Set(items.map((item) => resolveTrigger(item, streams)));
}

function resolveTrigger(item: unknown, streams: Stream<unknown>[]): Stream<unknown> {
  if (item instanceof Stream) {
    if (!streams.includes(item)) throw new ArgumentRangeError('emitOn', 'one of the combined streams', String(item));
    return item;
  }
  if (typeof item !== 'number') throw new ArgumentTypeError('emitOn', 'a Stream, an index, or an array of them', item);
  if (!Number.isInteger(item) || item < 0 || item >= streams.length) {
    throw new ArgumentRangeError('emitOn', `an index from 0 to ${streams.length - 1}`, item);
  }
  return streams[item];
}

Stream.registerApi('combineLatest', (upstream, ...args: unknown[]) => {
  const { others, options } = splitTrailingOptions<CombineLatestOptions>(args, () => true);
  return new CombineLatest([upstream, ...requireStreams('others', others)], options);
});
