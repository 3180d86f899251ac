/**
 * The pipeline process of `npm run soak -- --durable`: emits consecutive ids from FIRST_ID through
 * `scatter({ durable: 'soak' }).map(inc).buffer(16).gather()`, one awaited emit at a time, and
 * reports on stdout (a pipe: written at once, so the lines survive a SIGKILL):
 *   `ready`                 once the client connected
 *   `s ID`                  the emit of ID resolved (its task is stored)
 *   `d ID SEQ REPEAT`       a delivery: the value minus one, its sequence, 1 when flagged as a repeat
 *   `done RECOVERED REPEATS` after SIGTERM: emitting stopped, everything stored was delivered, the client closed
 *   node -r ts-node/register/transpile-only durable-soak-pipeline.ts SERVERS PREFIX FIRST_ID
 */
import { Client, durableDelivery, Stream, type DurableGatherNode } from '../../src';
import { inc } from './distributed-tasks';
import { DURABLE_SOAK_BUFFER } from './durable-soak-ledger';

async function main(): Promise<void> {
  const [servers, prefix, firstText] = process.argv.slice(2);
  const client = new Client({ servers, prefix, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  const source = new Stream<number>();
  const gathered = source.scatter({ client, durable: 'soak', ackWait: 2_000 }).map(inc).buffer(DURABLE_SOAK_BUFFER).gather();
  gathered.sink((result: number) => {
    const delivery = durableDelivery(gathered);
    process.stdout.write(`d ${result - 1} ${delivery?.seq ?? -1} ${delivery?.repeat === true ? 1 : 0}\n`);
  });
  gathered.errors.sink((failure) => process.stderr.write(`pipeline error: ${failure.message}\n`));
  let stopping = false;
  process.once('SIGTERM', () => (stopping = true));
  await client.whenReady();
  process.stdout.write('ready\n');
  for (let id = Number(firstText); !stopping; id++) {
    await source.emit(id);
    process.stdout.write(`s ${id}\n`);
  }
  await source.drain();
  const { segment } = gathered as unknown as DurableGatherNode<number>;
  await client.close();
  process.stdout.write(`done ${segment.recovered} ${segment.repeats}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
