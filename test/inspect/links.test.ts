import { Stream } from '../../src';
import { InspectionModel, type DashboardState } from '../../src/inspect/model';
import type { LinkConsumerView, LinkProducerView } from '../../src/inspect/links';
import type { FromNats } from '../../src/sources/from-nats';
import type { ToNats } from '../../src/nodes/to-nats';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';

const CREDITS = 4;
const HEARTBEAT = 100;

/** A sink that accepts elements only as many as the test allows; the rest wait in the link. */
class SlowSink {
  readonly seen: number[] = [];
  accepted = 0;
  private allowed = 0;
  private blocked: (() => void) | undefined = undefined;

  readonly accept = (x: number): Promise<void> | undefined => {
    this.seen.push(x);
    if (this.allowed === 0) return new Promise<void>((resolve) => (this.blocked = resolve));
    this.allowed--;
    this.accepted++;
    return undefined;
  };

  allow(count: number): void {
    this.allowed += count;
    const blocked = this.blocked;
    if (blocked === undefined) return;
    this.blocked = undefined;
    this.allowed--;
    this.accepted++;
    blocked();
  }
}

function producerOf(state: DashboardState): LinkProducerView | undefined {
  return state.links.find((link): link is LinkProducerView => link.end === 'producer');
}

function consumerOf(state: DashboardState): LinkConsumerView | undefined {
  return state.links.find((link): link is LinkConsumerView => link.end === 'consumer');
}

describe('inspection model: links', () => {
  let server: NatsServer | undefined;
  let model: InspectionModel | undefined;
  const cleanups: Array<() => unknown> = [];

  afterEach(async () => {
    model?.close();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await server?.stop();
  });

  test('a producer and a slow consumer: credits held and unacknowledged messages match what the consumer holds', async () => {
    server = await NatsServer.start();
    const subject = 'inspect.links.orders';
    const slow = new SlowSink();
    const consumer: FromNats<number> = Stream.fromNats<number>(subject, { servers: server.url, credits: CREDITS, queue: 'billing', heartbeatInterval: HEARTBEAT });
    consumer.sink(slow.accept);
    await consumer.start();
    cleanups.push(() => consumer.stop());
    const source = new Stream<number>({ name: 'orders' });
    const producer: ToNats<number> = source.toNats(subject, { servers: server.url, credits: true, heartbeatInterval: HEARTBEAT });
    cleanups.push(() => producer.destroy());
    // a failed test leaves elements waiting in the sink: let them go before the link stops
    cleanups.push(() => slow.allow(Number.MAX_SAFE_INTEGER));
    model = new InspectionModel({ pipelines: [source, consumer] });

    const emits = Array.from({ length: 10 }, (_, i) => source.emit(i));
    await waitFor(() => producerOf(model!.sample())?.waiting === 10 - CREDITS && consumer.link?.held === CREDITS, 5000, 'every credit used');
    let state = model.sample();
    const saturated = { subject, state: 'saturated', credits: CREDITS, available: 0, unacknowledged: CREDITS };
    expect(state.links).toEqual([
      { ...saturated, end: 'consumer', node: consumer.id, actor: consumer.link?.actorId, queue: 'billing', held: CREDITS, duplicates: 0 },
      { ...saturated, end: 'producer', node: producer.id, actor: producer.link?.actorId, consumers: 1, sent: CREDITS, waiting: 10 - CREDITS, resent: 0, refusals: 0 },
    ]);

    // 7 accepted of 10: the producer sends the rest, and 3 stay with the consumer, unacknowledged
    slow.allow(7);
    const holding = 10 - 7;
    await waitFor(
      () => {
        const sampled = model!.sample();
        return producerOf(sampled)?.state === 'linked' && consumerOf(sampled)?.state === 'receiving' && producerOf(sampled)?.sent === 10 && consumerOf(sampled)?.unacknowledged === holding;
      },
      5000,
      'the producer done sending and the acknowledgements in',
    );
    state = model.sample();
    expect(slow.seen.length - slow.accepted).toBe(1);
    expect(consumer.link?.held).toBe(holding);
    expect(producerOf(state)).toMatchObject({ credits: CREDITS, available: CREDITS - holding, unacknowledged: holding, waiting: 0, sent: 10 });
    expect(consumerOf(state)).toMatchObject({ credits: CREDITS, available: CREDITS - holding, held: holding, unacknowledged: holding });
    const nodes = new Map(state.graph.nodes.map((node) => [node.id, node]));
    expect(nodes.get(producer.id)?.credits).toBe(CREDITS - holding);
    expect(nodes.get(consumer.id)?.credits).toBe(CREDITS - holding);
    const actors = new Map(state.actors.map((actor) => [actor.id, actor]));
    expect(actors.get(producer.link!.actorId)).toMatchObject({ name: `link producer: ${subject}`, machine: 'linkProducer', node: producer.id, state: 'linked' });
    expect(actors.get(consumer.link!.actorId)).toMatchObject({ name: `link consumer: ${subject} (billing)`, machine: 'linkConsumer', node: consumer.id, state: 'receiving' });
    expect(nodes.get(producer.id)?.actors).toContain(producer.link?.actorId);
    expect(JSON.parse(JSON.stringify(state.links))).toEqual(state.links);

    slow.allow(holding);
    await Promise.all(emits);
    await source.drain();
    expect(producerOf(model.sample())).toMatchObject({ unacknowledged: 0, available: CREDITS });
  });

  test('pipelines without links have none; a fromNats with credits shows up once started', async () => {
    server = await NatsServer.start();
    const plain = new Stream<number>();
    plain.map((x: number) => x + 1).sinkToList();
    const consumer = Stream.fromNats<number>('inspect.links.later', { servers: server.url, credits: 2 });
    consumer.sinkToList();
    model = new InspectionModel({ pipelines: [plain, consumer] });
    expect(model.sample().links).toEqual([]);
    await consumer.start();
    cleanups.push(() => consumer.stop());
    expect(model.sample().links).toMatchObject([{ end: 'consumer', subject: 'inspect.links.later', queue: 'link', credits: 2, available: 2, held: 0 }]);
  });
});
