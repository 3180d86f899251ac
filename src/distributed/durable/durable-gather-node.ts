/**
 * `gather()` of a durable segment: elements reaching it go to JetStream as tasks (the `emit`
 * resolves once stored); results come back in order from the segment. While a result is being
 * emitted, `delivery` says which element it is and whether it may have been delivered before.
 */
import { ArgumentRangeError } from '../../errors';
import type { Emitted, Stream, StreamOptions } from '../../stream';
import { GatherBase, type GatherOptions } from '../gather-node';
import { natsConnectionOf } from '../../transport/jetstream';
import { AuthenticatedBus } from '../authenticated-bus';
import type { Client } from '../client/client';
import { CompiledChain } from '../compiled-chain';
import { RemoteValue } from '../remote';
import { durableNames } from './durable-names';
import type { DurableConfig } from './durable-scatter';
import { DurableSegment, type DurableDelivery, type DurableSegmentOutput } from './durable-segment';

/** What a scatter followed directly by its gather runs: nothing, on a worker. */
const NO_STEPS = new CompiledChain([], []);

export class DurableGatherNode<T> extends GatherBase<T> implements DurableSegmentOutput {
  readonly segment: DurableSegment;
  private current: DurableDelivery | undefined = undefined;

  constructor(upstream: Stream<unknown>, client: Client, config: DurableConfig, credits: number, options: StreamOptions) {
    super(options, [upstream]);
    const names = durableNames(client.subjects, config.name);
    this.segment = new DurableSegment({ names, subjects: client.subjects, credits, ackWait: config.ackWait, publishTimeout: config.publishTimeout }, this);
    client.adoptSegment(this.segment, this, (bus) => this.segment.attach(natsConnectionOf(bus instanceof AuthenticatedBus ? bus.inner : bus, 'client')));
  }

  protected override describe(): string {
    return `durable ${this.segment.name}`;
  }

  /**
   * The element being emitted (and, after that, the last one emitted): its sequence in the
   * segment and whether it may have been delivered before (after a crash of this process).
   */
  get delivery(): DurableDelivery | undefined {
    return this.current;
  }

  override update(x: unknown): Emitted {
    const remote = x instanceof RemoteValue ? x : new RemoteValue(x, undefined);
    return this.segment.submit(remote.value, remote.tail?.chain ?? NO_STEPS);
  }

  override emit(value: unknown, delivery?: DurableDelivery): Emitted {
    if (delivery !== undefined) this.current = delivery;
    return super.emit(value as T);
  }

}

/**
 * For a sink after `gather()` of a durable segment: the element being delivered (its sequence, and
 * `repeat` when a process that died may have delivered it already). `undefined` for other nodes.
 */
export function durableDelivery(gathered: Stream<unknown>): DurableDelivery | undefined {
  return gathered instanceof DurableGatherNode ? gathered.delivery : undefined;
}

/** A durable segment delivers in order: the task stream is trimmed up to the element delivered last. */
export function durableGatherOptions(options: GatherOptions): StreamOptions {
  const { ordered, ...rest } = options;
  if (ordered === false) throw new ArgumentRangeError('ordered', 'left out with a durable segment (it delivers in order, which is how it resumes)', ordered);
  return rest;
}
