/**
 * A NATS-to-NATS pipeline process with everything durable: a durable `fromNats` on SUBJECT_IN,
 * a durable segment `scatter({ durable }).map(bill).buffer(16).gather()` run by `rivulet worker`
 * processes, and a JetStream `toNats` on SUBJECT_OUT whose message id is the input's id, so an
 * input handled again after a crash is stored once.
 *   node -r ts-node/register/transpile-only durable-e2e-pipeline-process.ts SERVERS PREFIX SUBJECT_IN SUBJECT_OUT [DIE_AT]
 * Prints `ready` once it consumes and `repeat ID` for each result the segment flags as a possible
 * repeat. With DIE_AT, it SIGKILLs itself when the result for that id reaches the sink: the results
 * before it are stored in the output and (some of them) not yet confirmed to the segment, the
 * worst moment for exactly-once.
 */
import { Client, durableDelivery, Stream } from '../../src';
import { NatsBus } from '../../src/transport/nats-bus';
import { BUFFER, bill, type Order } from '../distributed/fixtures/durable-tasks';

async function main(): Promise<void> {
  const [servers, prefix, subjectIn, subjectOut, dieAtText] = process.argv.slice(2);
  const dieAt = dieAtText === undefined ? undefined : Number(dieAtText);
  const bus = await NatsBus.connect({ servers, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  const client = new Client({ servers, prefix, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  const source = Stream.fromNats<Order>(subjectIn, { client: bus, durable: 'billing', credits: 32, ackWait: 1_000, retries: 20, backoff: 100 });
  const gathered = source.scatter({ client, durable: 'billing', ackWait: 1_000 }).map(bill).buffer(BUFFER).gather();
  gathered
    .map((order) => {
      if (order.id === dieAt) process.kill(process.pid, 'SIGKILL');
      if (durableDelivery(gathered)?.repeat === true) process.stdout.write(`repeat ${order.id}\n`);
      return order;
    })
    .toNats(subjectOut, { client: bus, jetstream: true, timeout: 500, msgId: (order) => `order-${order.id}` });
  await source.start();
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
