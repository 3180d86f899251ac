/**
 * Distributed throughput: `scatter().map(inc).buffer(256).gather()` with a trivial task on the
 * embedded client, two worker threads and NATS workers (1 and 2 real `rivulet worker` processes),
 * against raw references in the same run: a worker_threads postMessage round trip and a
 * hand-written nats.js request/reply over one inbox, both with 256 in flight. Also the seed
 * scenario (200 ms tasks, buffer(8)) and RSS growth while 1M elements pass a slow pipeline.
 *
 *   node --expose-gc -r ts-node/register/transpile-only bench/distributed.ts [--elements 100000] [--memory 1000000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker as Thread } from 'node:worker_threads';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client, Stream } from '../src';
import { NatsServer } from '../test/support/nats-server';
import { formatRate } from './harness';
import { runSegmentPipeline, WINDOW } from './support/segment-pipeline';
import { slowInc } from './support/distributed-tasks';

const TASKS = path.join(__dirname, 'support', 'distributed-tasks.ts');
const ROOT = path.join(__dirname, '..');

const { values } = parseArgs({ options: { elements: { type: 'string' }, memory: { type: 'string' } } });
const ELEMENTS = Number(values.elements ?? 100_000);
const MEMORY_ELEMENTS = Number(values.memory ?? 1_000_000);

interface Result {
  name: string;
  perSecond: number;
}

async function pipelineRate(client: Client, elements: number): Promise<number> {
  const start = performance.now();
  await runSegmentPipeline(client, elements);
  return elements / ((performance.now() - start) / 1000);
}

/** `rounds` runs after one warm-up; the median. */
async function medianRate(run: () => Promise<number>, rounds = 3): Promise<number> {
  await run();
  const rates: number[] = [];
  for (let i = 0; i < rounds; i++) rates.push(await run());
  return rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)];
}

async function rawThreads(elements: number): Promise<number> {
  const threads = [0, 1].map(() => new Thread(path.join(__dirname, 'support', 'echo-thread.js')));
  const rate = await medianRate(
    () =>
      new Promise<number>((resolve) => {
        let sent = 0;
        let received = 0;
        const start = performance.now();
        const sendBatch = (thread: Thread, n: number): void => {
          const batch = [];
          for (let i = 0; i < n && sent < elements; i++, sent++) batch.push({ id: sent, x: sent });
          if (batch.length > 0) thread.postMessage(batch);
        };
        for (const thread of threads) {
          thread.removeAllListeners('message');
          thread.on('message', (answers: unknown[]) => {
            received += answers.length;
            if (received === elements) resolve(elements / ((performance.now() - start) / 1000));
            else sendBatch(thread, answers.length);
          });
        }
        for (let i = 0; i < WINDOW; i++) sendBatch(threads[i % 2], 1);
      }),
  );
  await Promise.all(threads.map((thread) => thread.terminate()));
  return rate;
}

/** Request/reply over one reply subscription matched by id, `WINDOW` in flight, responder on its own connection. */
async function rawNats(url: string, elements: number): Promise<number> {
  const responder = await connect({ servers: url });
  const requester = await connect({ servers: url });
  responder.subscribe('bench.echo', {
    callback: (_error, message) => {
      const view = new DataView(message.data.buffer, message.data.byteOffset, 8);
      const out = new Uint8Array(8);
      new DataView(out.buffer).setFloat64(0, view.getFloat64(0) + 1);
      if (message.reply) responder.publish(message.reply, out);
    },
  });
  const rate = await medianRate(() => runRawNats(requester, elements));
  await Promise.all([responder.drain(), requester.drain()]);
  return rate;
}

function runRawNats(nc: NatsConnection, elements: number): Promise<number> {
  return new Promise((resolve) => {
    const inbox = `_INBOX.bench.${Math.random().toString(36).slice(2)}`;
    let sent = 0;
    let received = 0;
    const start = performance.now();
    const send = (): void => {
      const payload = new Uint8Array(8);
      new DataView(payload.buffer).setFloat64(0, sent);
      nc.publish('bench.echo', payload, { reply: `${inbox}.${sent++}` });
    };
    const subscription = nc.subscribe(`${inbox}.*`, {
      callback: () => {
        received++;
        if (received === elements) {
          subscription.unsubscribe();
          resolve(elements / ((performance.now() - start) / 1000));
        } else if (sent < elements) send();
      },
    });
    for (let i = 0; i < WINDOW; i++) send();
  });
}

function startWorker(url: string, prefix: string): ChildProcess {
  const args = ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src', 'cli', 'main.ts'), 'worker', '--servers', url, '--tasks', TASKS, '--prefix', prefix, '--concurrency', '64'];
  return spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function untilWorkers(client: Client, n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (client.workers().length < n) {
    if (Date.now() > deadline) throw new Error(`${n} workers did not announce themselves`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function natsRate(server: NatsServer, workers: number): Promise<number> {
  const prefix = `bench${workers}`;
  const children = Array.from({ length: workers }, () => startWorker(server.url, prefix));
  const client = new Client({ servers: server.url, prefix });
  await client.whenReady();
  await untilWorkers(client, workers);
  const rate = await medianRate(() => pipelineRate(client, ELEMENTS));
  await client.close();
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
  return rate;
}

async function seedScenario(): Promise<number> {
  const client = new Client();
  const slow = (x: number): Promise<number> => new Promise((resolve) => setTimeout(() => resolve(x + 1), 200));
  const source = new Stream<number>();
  source.scatter({ client }).map(slow).buffer(8).gather().sinkToList();
  const start = performance.now();
  for (let i = 0; i < 10; i++) await source.emit(i);
  await source.drain();
  const seconds = (performance.now() - start) / 1000;
  await client.close();
  return seconds;
}

async function memoryGrowth(): Promise<{ rssMb: number; heapMb: number; seconds: number }> {
  const client = new Client();
  const source = new Stream<number>();
  let received = 0;
  source
    .scatter({ client })
    .map(slowInc)
    .buffer(8)
    .gather()
    .sink(() => received++);
  const warm = 100_000;
  for (let i = 0; i < warm; i++) await source.emit(i);
  global.gc?.();
  const before = process.memoryUsage();
  const start = performance.now();
  for (let i = 0; i < MEMORY_ELEMENTS; i++) await source.emit(i);
  await source.drain();
  global.gc?.();
  const after = process.memoryUsage();
  await client.close();
  if (received !== warm + MEMORY_ELEMENTS) throw new Error('lost elements in the memory run');
  const mb = (bytes: number): number => bytes / 2 ** 20;
  return { rssMb: mb(after.rss - before.rss), heapMb: mb(after.heapUsed - before.heapUsed), seconds: (performance.now() - start) / 1000 };
}

function line(name: string, perSecond: number, reference?: Result): string {
  const ratio = reference === undefined ? '' : `  ${(perSecond / reference.perSecond).toFixed(2)}x ${reference.name}`;
  return `  ${name.padEnd(34)} ${formatRate(perSecond).padStart(11)}${ratio}`;
}

async function main(): Promise<void> {
  console.log(`Distributed: scatter().map(x + 1).buffer(${WINDOW}).gather(), ${ELEMENTS} elements, median of 3 after a warm-up`);
  const embeddedClient = new Client();
  const embedded = await medianRate(() => pipelineRate(embeddedClient, ELEMENTS));
  await embeddedClient.close();
  console.log(line('embedded', embedded));

  const rawThreadRate = { name: 'raw worker_threads', perSecond: await rawThreads(ELEMENTS) };
  const threadClient = new Client({ workers: 2, tasks: TASKS, concurrency: 64 });
  await threadClient.whenReady();
  const threads = await medianRate(() => pipelineRate(threadClient, ELEMENTS));
  await threadClient.close();
  console.log(line(rawThreadRate.name + ' (2 threads)', rawThreadRate.perSecond));
  console.log(line('threads (2)', threads, rawThreadRate));

  const server = await NatsServer.start();
  const rawNatsRate = { name: 'raw NATS', perSecond: await rawNats(server.url, ELEMENTS) };
  console.log(line('raw NATS request/reply (1 inbox)', rawNatsRate.perSecond));
  for (const workers of [1, 2]) console.log(line(`NATS (${workers} worker${workers > 1 ? 's' : ''})`, await natsRate(server, workers), rawNatsRate));
  await server.stop();

  console.log(`\nSeed scenario, 10 elements, 200 ms tasks, buffer(8): ${(await seedScenario()).toFixed(3)} s wall (target <= 0.45 s)`);
  const memory = await memoryGrowth();
  const growth = `RSS ${memory.rssMb.toFixed(1)} MB, heap ${memory.heapMb.toFixed(1)} MB`;
  console.log(`Growth while ${MEMORY_ELEMENTS} elements pass scatter().map(slow).buffer(8).gather() after a 100k warm-up: ${growth} in ${memory.seconds.toFixed(1)} s (target: RSS < 50 MB)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
