/**
 * The seed scenario on a local cluster of worker threads (real CPU parallelism).
 *   npx ts-node -T examples/threads.ts
 */
import * as path from 'node:path';
import { Client, Stream } from '../src'; // in your project: from 'rivulet'
import { inc, spin } from './tasks';

async function main(): Promise<void> {
  const client = new Client({ workers: 4, tasks: path.join(__dirname, 'tasks.ts') });
  await client.whenReady();

  const source = new Stream<number>();
  const results = source.scatter().map(inc).buffer(8).gather().sinkToList();
  let start = Date.now();
  for (let i = 0; i < 10; i++) await source.emit(i);
  await source.drain();
  console.log(`inc on 4 threads: ${Date.now() - start} ms`, results);

  const busy = new Stream<number>();
  const spun = busy.scatter().map(spin).buffer(8).gather().sinkToList();
  start = Date.now();
  for (let i = 0; i < 8; i++) await busy.emit(250);
  await busy.drain();
  console.log(`8 x 250 ms of CPU on 4 threads: ${Date.now() - start} ms (${spun.length} done)`);
  console.log(client.workers());
  await client.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
