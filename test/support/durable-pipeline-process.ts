/**
 * A pipeline process with a durable segment, the same code for the first run and for the run
 * after a crash: it emits elements 0..COUNT-1 that no earlier run stored (DIR/stored.log lists
 * those whose emit resolved), through `scatter({ durable }).map(durableWork).buffer(16)`, and
 * appends each delivered element to DIR/out.log as `value seq repeat`.
 *   node -r ts-node/register/transpile-only durable-pipeline-process.ts SERVERS PREFIX DIR COUNT
 * Prints `done RECOVERED REPEATS` (elements found stored at start, deliveries marked as repeats)
 * once everything it emitted and everything recovered was delivered.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, durableDelivery, Stream, type DurableGatherNode } from '../../src';
import { BUFFER, durableWork } from '../distributed/fixtures/durable-tasks';

function storedBefore(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').length : 0;
}

async function main(): Promise<void> {
  const [servers, prefix, dir, countText] = process.argv.slice(2);
  const storedLog = join(dir, 'stored.log');
  const outLog = join(dir, 'out.log');
  const client = new Client({ servers, prefix, reconnectTimeWait: 100 });
  const source = new Stream<number>();
  const gathered = source.scatter({ client, durable: 'resume', ackWait: 2_000 }).map(durableWork).buffer(BUFFER).gather();
  gathered.sink((x) => {
    const delivery = durableDelivery(gathered);
    appendFileSync(outLog, `${x} ${delivery?.seq ?? -1} ${delivery?.repeat === true ? 1 : 0}\n`);
  });
  gathered.errors.sink((failure) => console.error(failure.message));
  for (let i = storedBefore(storedLog); i < Number(countText); i++) {
    await source.emit(i);
    appendFileSync(storedLog, `${i}\n`);
  }
  await source.drain();
  const { segment } = gathered as unknown as DurableGatherNode<number>;
  await client.close();
  process.stdout.write(`done ${segment.recovered} ${segment.repeats}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
