/**
 * `gather()` on a distributed stream: the local end of a segment. Elements reaching it with the
 * chain still to run go to its segment, which sends them to workers and calls back with results
 * in order; elements already computed pass straight through.
 */
import { Stream, type Emitted, type StreamOptions } from '../stream';
import type { Client } from './client/client';
import type { Segment, SegmentOutput } from './client/segment';
import { RemoteValue } from './remote';

export interface GatherOptions extends StreamOptions {
  /** Deliver results in emission order (default) or as they complete. */
  ordered?: boolean;
}

/** The local end of a segment, core or durable: it holds (for `drain()`) while its segment does. */
export abstract class GatherBase<T> extends Stream<T> {
  override get kind(): string {
    return 'gather';
  }

  segmentHolds(): void {
    this.holdStarted();
  }

  segmentReleased(): void {
    this.holdEnded();
  }

  /** Resolves once every element the segment accepted left this node. */
  async finished(): Promise<void> {
    for (let wait = this.settled(); wait !== undefined; wait = this.settled()) await wait;
  }
}

export class GatherNode<T> extends GatherBase<T> implements SegmentOutput {
  readonly segment: Segment;

  constructor(upstream: Stream<unknown>, client: Client, credits: number, buffered: boolean, options: GatherOptions) {
    super(options, [upstream]);
    this.segment = client.openSegment({ credits, buffered, ordered: options.ordered ?? true }, this);
  }

  get gatherState(): string {
    return this.segment.gatherState;
  }

  override update(x: unknown): Emitted {
    if (!(x instanceof RemoteValue)) return this.emit(x as T);
    if (x.tail === undefined) return this.emit(x.value as T);
    return this.segment.submit(x.value, x.tail.chain);
  }
}
