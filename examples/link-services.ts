/**
 * Two services linked with back pressure: `orders` (service A) publishes enriched orders,
 * `billing` (service B) bills them, as many replicas as you like, each holding at most 16 orders
 * its pipeline has not finished. A's `emit` waits whenever the replicas are busy or absent; kill a
 * replica (even with SIGKILL) and the orders it held go to another one.
 *   nats-server &
 *   NATS_URL=nats://127.0.0.1:4222 npx ts-node -T examples/link-services.ts billing &    # replica 1
 *   NATS_URL=nats://127.0.0.1:4222 npx ts-node -T examples/link-services.ts billing &    # replica 2
 *   NATS_URL=nats://127.0.0.1:4222 npx ts-node -T examples/link-services.ts orders
 */
import { Stream } from '../src'; // in your project: from 'rivulet'

interface Order {
  id: number;
  total: number;
}

const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const SUBJECT = 'orders.enriched';

/** Service A: emits 200 orders; each `emit` waits for a billing replica's credit. */
async function orders(): Promise<void> {
  const source = new Stream<Order>();
  const sink = source.map((order) => ({ ...order, total: Math.round(order.total * 1.2) })).toNats(SUBJECT, { servers, credits: true });
  const started = Date.now();
  for (let id = 0; id < 200; id++) await source.emit({ id, total: 100 + id });
  await source.drain(); // every order was accepted by a billing replica
  console.log(`orders: 200 orders billed in ${Date.now() - started} ms (${sink.link?.resent ?? 0} sent again)`);
  sink.destroy();
}

/** Service B: one replica; takes 20 ms per order. */
async function billing(): Promise<void> {
  const bill = async (order: Order): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    console.log(`billing ${process.pid}: order ${order.id}, ${order.total}`);
  };
  const source = Stream.fromNats<Order>(SUBJECT, { servers, credits: 16, queue: 'billing' });
  source.sink(bill);
  await source.start();
  process.once('SIGTERM', () => void source.stop().then(() => process.exit(0))); // gives back what it held
}

const role = process.argv[2];
(role === 'billing' ? billing() : role === 'orders' ? orders() : Promise.reject(new Error('usage: link-services.ts orders|billing'))).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
