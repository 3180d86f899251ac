import { Stream } from '../../src';
import { NatsBus } from '../../src/transport/nats-bus';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';

const COUNT = 100;
const CREDITS = 4;

let server: NatsServer;
const buses: NatsBus[] = [];

beforeAll(async () => {
  server = await NatsServer.start();
});

afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
  await server?.stop();
});

async function reconnectingBus(): Promise<NatsBus> {
  const bus = await NatsBus.connect({ servers: server.url, reconnectTimeWait: 50 });
  buses.push(bus);
  return bus;
}

describe('a flow-controlled link across a nats-server restart', () => {
  test('every element arrives, and the consumer never holds more than its credits', async () => {
    const consumerBus = await reconnectingBus();
    const consumer = Stream.fromNats<number>('link.restart', { client: consumerBus, credits: CREDITS, heartbeatInterval: 50 });
    const seen = new Set<number>();
    let mostHeld = 0;
    consumer.sink(async (x: number) => {
      seen.add(x);
      mostHeld = Math.max(mostHeld, consumer.link?.held ?? 0);
      await new Promise((resolve) => setImmediate(resolve));
    });
    await consumer.start();
    const source = new Stream<number>();
    const sink = source.toNats('link.restart', { client: await reconnectingBus(), credits: true, heartbeatInterval: 50 });
    const emitting = (async () => {
      for (let i = 0; i < COUNT; i++) await source.emit(i);
      await source.drain();
    })();
    await waitFor(() => seen.size >= COUNT / 3, 10_000, 'a third of the elements');
    await server.restart();
    await emitting;
    await waitFor(() => seen.size === COUNT, 10_000, 'every element');
    expect(mostHeld).toBeLessThanOrEqual(CREDITS);
    expect(sink.link?.unacknowledged).toBe(0);
    sink.destroy();
    await consumer.stop();
  }, 30_000);
});
