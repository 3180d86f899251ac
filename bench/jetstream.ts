/**
 * A durable source into a JetStream sink against raw JetStream, in one run on one nats-server
 * (`-js`, started on a free port). Every case moves COUNT msgpackr-encoded numbers from an input
 * stream (filled before the timed part) to an output stream with the same guarantee: the input is
 * acknowledged only after the output stored it. References: nats.js doing exactly that in a loop
 * (consume, publish and await the PubAck, ack), and nats.js publishing COUNT messages awaiting
 * each PubAck (one round trip per element: the limit of any one-at-a-time path).
 *   npx ts-node -T bench/jetstream.ts
 */
import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Stream } from '../src';
import { Codec } from '../src/transport/codec';
import { NatsBus } from '../src/transport/nats-bus';
import { NatsServer } from '../test/support/nats-server';
import { measure, printTable, type Case } from './harness';

const COUNT = Number(process.env.BENCH_COUNT ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CREDITS = 64;
const RUN_TIMEOUT_MS = 120_000;
const RAW_LOOP = 'nats.js consume -> publish+PubAck -> ack';
const codec = new Codec();

let runs = 0;

/** A fresh input stream holding COUNT numbers and an empty output stream; returns their subjects. */
async function freshStreams(manager: JetStreamManager, client: JetStreamClient): Promise<{ input: string; output: string; stream: string }> {
  const run = ++runs;
  const stream = `BENCHIN${run}`;
  await manager.streams.add({ name: stream, subjects: [`bench.in.${run}`] });
  await manager.streams.add({ name: `BENCHOUT${run}`, subjects: [`bench.out.${run}`] });
  const batch: Promise<unknown>[] = [];
  for (let i = 0; i < COUNT; i++) {
    batch.push(client.publish(`bench.in.${run}`, codec.encode(i)));
    if (batch.length === 256) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  return { input: `bench.in.${run}`, output: `bench.out.${run}`, stream };
}

/** Bounds a run: rejects after RUN_TIMEOUT_MS. */
function bounded<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Input prepared outside the timed part: each case gets the streams of its next run from here. */
type Prepared = { input: string; output: string; stream: string };

async function rawLoop(bus: NatsBus, manager: JetStreamManager, prepared: Prepared): Promise<number> {
  const client = jetstream(bus.connection);
  await manager.consumers.add(prepared.stream, { durable_name: 'raw', ack_policy: AckPolicy.Explicit, max_ack_pending: CREDITS });
  const messages = await (await client.consumers.get(prepared.stream, 'raw')).consume({ max_messages: CREDITS });
  let moved = 0;
  for await (const msg of messages) {
    const value = codec.decode(msg.data) as number;
    await client.publish(prepared.output, codec.encode(value), { msgID: `n-${value}` });
    msg.ack();
    if (++moved === COUNT) break;
  }
  await messages.close();
  return moved;
}

async function rawPublish(bus: NatsBus, prepared: Prepared): Promise<number> {
  const client = jetstream(bus.connection);
  for (let i = 0; i < COUNT; i++) await client.publish(prepared.output, codec.encode(i), { msgID: `n-${i}` });
  return COUNT;
}

async function durableToJetStream(bus: NatsBus, prepared: Prepared): Promise<number> {
  const source = Stream.fromNats<number>(prepared.input, { client: bus, durable: 'rivulet', credits: CREDITS });
  const sink = source.toNats(prepared.output, { client: bus, jetstream: true, msgId: (n) => `n-${n}` });
  let resolveDone = (): void => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  source.sink(() => {
    if (source.acknowledged + 1 === COUNT) resolveDone();
  });
  await source.start();
  await done;
  await source.stop();
  sink.destroy();
  return source.acknowledged;
}

async function main(): Promise<void> {
  const server = await NatsServer.start({ jetstream: true });
  const bus = await NatsBus.connect({ servers: server.url });
  try {
    const manager = await jetstreamManager(bus.connection);
    const client = jetstream(bus.connection);
    const prepared = new Map<string, Prepared[]>();
    const cases: Case[] = [
      { name: RAW_LOOP, run: () => bounded(rawLoop(bus, manager, next(RAW_LOOP)), RAW_LOOP) },
      { name: 'nats.js publish+PubAck, one at a time', run: () => bounded(rawPublish(bus, next('publish')), 'publish') },
      { name: 'fromNats durable -> toNats jetstream', run: () => bounded(durableToJetStream(bus, next('rivulet')), 'rivulet') },
    ];
    const next = (name: string): Prepared => {
      const ready = prepared.get(name)?.shift();
      if (ready === undefined) throw new Error(`no prepared streams for ${name}`);
      return ready;
    };
    for (const name of [RAW_LOOP, 'publish', 'rivulet']) {
      const list: Prepared[] = [];
      for (let round = 0; round < ROUNDS; round++) list.push(await freshStreams(manager, client));
      prepared.set(name, list);
    }
    const results = await measure(cases, ROUNDS);
    printTable(`JetStream: ${COUNT} numbers from an input stream to an output stream, credits ${CREDITS}, median of ${ROUNDS} interleaved rounds`, results, RAW_LOOP);
  } finally {
    await bus.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
