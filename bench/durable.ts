/**
 * A durable segment against a core NATS segment, in one run on one nats-server (`-js -sd`, free
 * port) with the same 2 `rivulet worker` processes (concurrency 4) and a trivial task (`inc`):
 * COUNT elements through `scatter(…).map(inc).buffer(64).gather()`, the source awaiting each
 * `emit` (what a source does), then `drain()`. The durable segment also runs with 64 emits in
 * flight (a source that does not wait for each store). Reference: the core segment. Also shown,
 * raw JetStream with nats.js (no Rivulet): COUNT messages published into a stream awaiting each
 * PubAck (the one-at-a-time limit), and COUNT messages published with IN_FLIGHT PubAcks
 * outstanding while a durable pull consumer reads and acknowledges them (one stored hop; a
 * durable segment makes two, tasks and results).
 *   npx ts-node -T bench/durable.ts        (BENCH_COUNT, BENCH_ROUNDS to change the sizes)
 */
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Client, Stream } from '../src';
import { DurableGatherNode } from '../src/distributed/durable/durable-gather-node';
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
/** Over the durable runs with emits in flight: results read, and the stored messages that carried them. */
const batching = { results: 0, messages: 0 };

/** Runs COUNT elements through a fresh pipeline; `inFlight` emits at once. */
async function segment(client: Client, durable: string | undefined, inFlight: number): Promise<number> {
  const source = new Stream<number>();
  let delivered = 0;
  const gathered = source
    .scatter({ client, ...(durable === undefined ? {} : { durable }) })
    .map(inc)
    .buffer(BUFFER)
    .gather();
  gathered.sink(() => void delivered++);
  const pending: Array<Promise<void> | undefined> = [];
  for (let i = 0; i < COUNT; i++) {
    pending.push(source.emit(i) as Promise<void> | undefined);
    if (pending.length >= inFlight) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  await source.drain();
  if (delivered !== COUNT) throw new Error(`${delivered} of ${COUNT} delivered`);
  if (gathered instanceof DurableGatherNode && inFlight > 1) {
    batching.results += gathered.segment.resultsReceived;
    batching.messages += gathered.segment.resultMessages;
  }
  return delivered;
}

async function rawPublish(bus: NatsBus): Promise<number> {
  const run = ++runs;
  await (await jetstreamManager(bus.connection)).streams.add({ name: `BENCHRAW${run}`, subjects: [`benchraw.${run}`] });
  const client = jetstream(bus.connection);
  for (let i = 0; i < COUNT; i++) await client.publish(`benchraw.${run}`, codec.encode(i));
  return COUNT;
}

/** Publishes COUNT messages, `IN_FLIGHT` PubAcks outstanding, while a durable pull consumer reads and acknowledges them. */
async function rawPublishConsume(bus: NatsBus): Promise<number> {
  const run = ++runs;
  const manager = await jetstreamManager(bus.connection);
  await manager.streams.add({ name: `BENCHRAW${run}`, subjects: [`benchraw.${run}`] });
  await manager.consumers.add(`BENCHRAW${run}`, { durable_name: 'reader', ack_policy: AckPolicy.Explicit, max_ack_pending: 4 * IN_FLIGHT });
  const client = jetstream(bus.connection);
  const messages = await (await client.consumers.get(`BENCHRAW${run}`, 'reader')).consume({ max_messages: IN_FLIGHT });
  const consumed = (async () => {
    let read = 0;
    for await (const msg of messages) {
      msg.ack();
      if (++read === COUNT) break;
    }
    return read;
  })();
  const pending: Array<Promise<unknown>> = [];
  for (let i = 0; i < COUNT; i++) {
    pending.push(client.publish(`benchraw.${run}`, codec.encode(i)));
    if (pending.length >= IN_FLIGHT) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  const read = await consumed;
  await messages.close();
  return read;
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
      { name: `nats.js publish (${IN_FLIGHT} in flight)+consume+ack`, run: () => rawPublishConsume(bus) },
    ];
    const results = await measure(cases, ROUNDS);
    printTable(`${COUNT} elements, map(inc).buffer(${BUFFER}), ${WORKERS} rivulet workers (concurrency 4), median of ${ROUNDS} interleaved rounds`, results, CORE);
    console.log(`  durable, ${IN_FLIGHT} emits in flight: ${(batching.results / batching.messages).toFixed(1)} results per stored result message`);
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
