import { Fifo } from '../util/fifo';
import { ignore } from '../util/promise';
import { Stream, type Emitted } from '../stream';
import { Join, LatestValues, requireStreams, unknownInputError, type ElementsOf } from './support/join';

declare module '../stream' {
  interface Stream<T> {
    /**
     * Every element of this stream (none is lost) with the latest element of each of `others`;
     * elements wait until every other stream has emitted once.
     */
    zipLatest<A extends Stream<unknown>[]>(...others: A): Stream<[T, ...ElementsOf<A>]>;
  }
}

export class ZipLatest extends Join {
  private readonly others: LatestValues;
  /** Elements of the lossless stream waiting for every other stream to have a value. */
  private readonly waiting = new Fifo<unknown>();

  constructor(
    private readonly lossless: Stream<unknown>,
    others: Stream<unknown>[],
  ) {
    super();
    this.others = new LatestValues(others);
    this.connectInputs([lossless, ...others]);
  }

  override get kind(): string {
    return 'zipLatest';
  }

  override update(x: unknown, from?: Stream<unknown>): Emitted {
    const isOther = this.others.set(from, x);
    if (from === this.lossless) this.waiting.push(x);
    else if (!isOther) throw unknownInputError(this, from);
    return this.others.complete ? this.emitWaiting() : undefined;
  }

  /**
   * A new stream joins the others; reconnecting the lossless stream restores it. Disconnecting
   * the lossless stream keeps its waiting elements, emitted once the others are complete.
   */
  protected override upstreamAdded(upstream: Stream<unknown>): void {
    if (upstream !== this.lossless && !this.others.has(upstream)) this.others.add(upstream);
  }

  protected override upstreamRemoved(upstream: Stream<unknown>): void {
    if (!this.others.has(upstream)) return;
    this.others.remove(upstream);
    // The removed stream may have been the only one without a value.
    if (!this.others.complete) return;
    while (this.waiting.length > 0) this.emitOutsideUpdate(this.tupleWith(this.waiting.shift()));
  }

  private emitWaiting(): Emitted {
    let result: Emitted = undefined;
    try {
      while (this.waiting.length > 0) result = joinEmitted(result, this.emit(this.tupleWith(this.waiting.shift())));
    } catch (error) {
      result?.catch(ignore);
      throw error;
    }
    return result;
  }

  private tupleWith(element: unknown): unknown[] {
    const values = this.others.values;
    const tuple = new Array<unknown>(values.length + 1);
    tuple[0] = element;
    for (let i = 0; i < values.length; i++) tuple[i + 1] = values[i];
    return tuple;
  }
}

/** The result of two emits as one: `undefined` when both were synchronous. */
function joinEmitted(first: Emitted, second: Emitted): Emitted {
  if (first === undefined) return second;
  if (second === undefined) return first;
  return Promise.all([first, second]).then(ignore);
}

Stream.registerApi('zipLatest', (upstream, ...others: unknown[]) => new ZipLatest(upstream, requireStreams('others', others)));
