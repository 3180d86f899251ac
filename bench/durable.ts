/**
 * A durable segment against a core NATS segment, in one run on one nats-server (`-js -sd`, free
 * port) with the same 2 `rivulet worker` processes (concurrency 4) and a trivial task (`inc`):
 * COUNT elements through `scatter(…).map(inc).buffer(64).gather()`, the source awaiting each
 * `emit` (what a source does), then `drain()`. The durable segment also runs with 64 emits in
 * flight (a source that does not wait for each store). Reference: the core segment. Also shown:
 * nats.js publishing COUNT messages into a stream awaiting each PubAck (the one-at-a-time limit).
 *   npx ts-node -T bench/durable.ts        (BENCH_COUNT, BENCH_ROUNDS to change the sizes)
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Client, Stream } from '../src';
import { Codec } from '../src/transport/codec';
import { NatsBus } from '../src/transport/nats-bus';
import { NatsServer } from '../test/support/nats-server';
import { measure, printTable, type Case } from './harness';
import { inc } from './support/distributed-tasks';
import { waitForWorkers, WorkerProcesses } from './support/processes';

const COUNT = Number(process.env.BENCH_COUNT ?? 3_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BUFFER = 64;
const IN_FLIGHT = 64;
const WORKERS = 2;
const CORE = 'core NATS segment, awaited emits';
const codec = new Codec();
let runs = 0;

/** Runs COUNT elements through a fresh pipeline; `inFlight` emits at once. */
async function segment(client: Client, durable: string | undefined, inFlight: number): Promise<number> {
  const source = new Stream<number>();
  let delivered = 0;
  source
    .scatter({ client, ...(durable === undefined ? {} : { durable }) })
    .map(inc)
    .buffer(BUFFER)
    .gather()
    .sink(() => void delivered++);
  const pending: Array<Promise<void> | undefined> = [];
  for (let i = 0; i < COUNT; i++) {
    pending.push(source.emit(i) as Promise<void> | undefined);
    if (pending.length >= inFlight) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  await source.drain();
  if (delivered !== COUNT) throw new Error(`${delivered} of ${COUNT} delivered`);
  return delivered;
}

async function rawPublish(bus: NatsBus): Promise<number> {
  const run = ++runs;
  await (await jetstreamManager(bus.connection)).streams.add({ name: `BENCHRAW${run}`, subjects: [`benchraw.${run}`] });
  const client = jetstream(bus.connection);
  for (let i = 0; i < COUNT; i++) await client.publish(`benchraw.${run}`, codec.encode(i));
  return COUNT;
}

async function main(): Promise<void> {
  const server = await NatsServer.start({ jetstream: true });
  const prefix = `benchdurable${process.pid}`;
  const workers = new WorkerProcesses(server.url, ['--prefix', prefix, '--concurrency', '4']);
  const bus = await NatsBus.connect({ servers: server.url });
  const client = new Client({ servers: server.url, prefix });
  try {
    await workers.start(WORKERS);
    await client.whenReady();
    await waitForWorkers(client, WORKERS);
    const cases: Case[] = [
      { name: CORE, run: () => segment(client, undefined, 1) },
      { name: 'durable segment, awaited emits', run: () => segment(client, `bench${++runs}`, 1) },
      { name: `durable segment, ${IN_FLIGHT} emits in flight`, run: () => segment(client, `bench${++runs}`, IN_FLIGHT) },
      { name: 'nats.js publish+PubAck, one at a time', run: () => rawPublish(bus) },
    ];
    const results = await measure(cases, ROUNDS);
    printTable(`${COUNT} elements, map(inc).buffer(${BUFFER}), ${WORKERS} rivulet workers (concurrency 4), median of ${ROUNDS} interleaved rounds`, results, CORE);
  } finally {
    await client.close({ timeout: 5_000 }).catch(() => undefined);
    await bus.close();
    workers.stopAll();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
