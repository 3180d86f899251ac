/**
 * A NATS-to-NATS pipeline process: a durable `fromNats` on SUBJECT_IN, a `map`, and a JetStream
 * `toNats` on SUBJECT_OUT whose message id is the input's id, so an input handled again (after a
 * crash or a lost acknowledgement) is stored once.
 *   node -r ts-node/register/transpile-only jetstream-pipeline-process.ts SERVERS SUBJECT_IN SUBJECT_OUT
 * Prints `ready` once it consumes.
 */
import { Stream } from '../../src';
import { NatsBus } from '../../src/transport/nats-bus';

interface Order {
  id: number;
}

async function main(): Promise<void> {
  const [servers, subjectIn, subjectOut] = process.argv.slice(2);
  const client = await NatsBus.connect({ servers, reconnectTimeWait: 100 });
  const source = Stream.fromNats<Order>(subjectIn, { client, durable: 'pipeline', credits: 32, ackWait: 1_000, retries: 20, backoff: 100 });
  source
    .map((order) => ({ id: order.id, doubled: order.id * 2 }))
    .toNats(subjectOut, { client, jetstream: true, timeout: 500, msgId: (order) => `order-${order.id}` });
  await source.start();
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
