/**
 * The seed scenario with NATS workers, in place of streamz's dask-jobqueue cluster:
 *   nats-server &                                              # or any NATS deployment
 *   npx ts-node -T src/cli/main.ts worker --servers nats://127.0.0.1:4222 --tasks examples/tasks.ts --concurrency 4 &
 *   npx ts-node -T src/cli/main.ts worker --servers nats://127.0.0.1:4222 --tasks examples/tasks.ts --concurrency 4 &
 *   NATS_URL=nats://127.0.0.1:4222 npx ts-node -T examples/nats.ts
 */
import { Client, Stream } from '../src'; // in your project: from 'rivulet'
import { inc } from './tasks';

async function main(): Promise<void> {
  const client = new Client({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  await client.whenReady();
  const source = new Stream<number>();
  const results = source.scatter().map(inc).buffer(8).gather().sinkToList();
  const start = Date.now();
  for (let i = 0; i < 10; i++) await source.emit(i);   // waits in `waitingForWorkers` until a worker is up
  await source.drain();
  console.log(`inc on NATS workers: ${Date.now() - start} ms`, results);
  console.log(client.workers());
  await client.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
