/**
 * Flow-controlled links against raw NATS, in one run on one nats-server (started on a free port):
 * a producer stream emits COUNT numbers (awaiting each emit) into `toNats(…, { credits: true })`,
 * a `fromNats(…, { credits })` source takes them; the reference is nats.js publishing the same
 * msgpackr-encoded numbers in a loop to a plain subscriber (no back pressure: the wire's limit),
 * and Rivulet's own core-NATS `toNats`/`fromNats` without credits.
 *   npx ts-node -T bench/link.ts
 *
 * `soak` runs the link's fault scenario with real processes at full size (a producer, a slow
 * consumer, one SIGKILLed halfway; see test/support/link-scenario.ts):
 *   npx ts-node -T bench/link.ts soak [COUNT]
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Stream } from '../src';
import { Codec } from '../src/transport/codec';
import { NatsBus } from '../src/transport/nats-bus';
import { rssGrowth, runLinkScenario } from '../test/support/link-scenario';
import { NatsServer } from '../test/support/nats-server';
import { waitFor } from '../test/support/wait-for';
import { measure, printTable, type Case } from './harness';

const COUNT = Number(process.env.BENCH_COUNT ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RUN_TIMEOUT_MS = 120_000;
const RAW = 'nats.js publish -> subscribe (msgpackr)';

let subjects = 0;
const nextSubject = (): string => `bench.link.${++subjects}`;

/** The wire's limit: a loop of publishes, a subscriber that decodes and counts. */
async function rawPublishSubscribe(publisher: NatsConnection, subscriber: NatsConnection): Promise<number> {
  const subject = nextSubject();
  const codec = new Codec();
  let received = 0;
  const subscription = subscriber.subscribe(subject, {
    callback: (_error, msg) => {
      codec.decode(msg.data);
      received++;
    },
  });
  await subscriber.flush();
  for (let i = 0; i < COUNT; i++) publisher.publish(subject, codec.encode(i));
  await publisher.flush();
  await waitFor(() => received === COUNT, RUN_TIMEOUT_MS, 'every raw message');
  subscription.unsubscribe();
  return COUNT;
}

/**
 * A producer stream into `toNats`, consumers from `fromNats`; with `credits`, a link. The consumers'
 * sinks take each element at once, or with `perTurn` one element per event-loop turn.
 */
async function streams(producerBus: NatsBus, consumerBuses: NatsBus[], credits: number | undefined, perTurn = false): Promise<number> {
  const subject = nextSubject();
  let received = 0;
  const count = (): void => {
    received++;
  };
  const countNextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(() => resolve(count())));
  const consumers = consumerBuses.map((client) => {
    const consumer = Stream.fromNats<number>(subject, credits === undefined ? { client } : { client, credits });
    consumer.sink(perTurn ? countNextTurn : count);
    return consumer;
  });
  await Promise.all(consumers.map((consumer) => consumer.start()));
  const source = new Stream<number>();
  const sink = source.toNats(subject, credits === undefined ? { client: producerBus } : { client: producerBus, credits: true });
  for (let i = 0; i < COUNT; i++) await source.emit(i);
  await source.drain();
  await waitFor(() => received === COUNT, RUN_TIMEOUT_MS, 'every element');
  sink.destroy();
  await Promise.all(consumers.map((consumer) => consumer.stop()));
  return COUNT;
}

async function throughput(): Promise<void> {
  const server = await NatsServer.start();
  const connections: NatsConnection[] = [];
  const buses: NatsBus[] = [];
  try {
    const rawPublisher = await connect({ servers: server.url });
    const rawSubscriber = await connect({ servers: server.url });
    connections.push(rawPublisher, rawSubscriber);
    for (let i = 0; i < 3; i++) buses.push(await NatsBus.connect({ servers: server.url }));
    const [producer, consumer, second] = buses;
    const cases: Case[] = [
      { name: RAW, run: () => rawPublishSubscribe(rawPublisher, rawSubscriber) },
      { name: 'toNats -> fromNats, core NATS (no credits)', run: () => streams(producer, [consumer], undefined) },
      { name: 'link, credits 32', run: () => streams(producer, [consumer], 32) },
      { name: 'link, credits 256', run: () => streams(producer, [consumer], 256) },
      { name: 'link, 2 consumers x credits 32', run: () => streams(producer, [consumer, second], 32) },
      { name: 'link, credits 32, sink one per turn', run: () => streams(producer, [consumer], 32, true) },
    ];
    const results = await measure(cases, ROUNDS);
    printTable(`links: ${COUNT} numbers, producer awaits each emit, median of ${ROUNDS} interleaved rounds`, results, RAW);
  } finally {
    await Promise.all([...buses.map((bus) => bus.close()), ...connections.map((nc) => nc.close())]);
    await server.stop();
  }
}

async function soak(count: number): Promise<void> {
  const credits = 32;
  const bytes = 16 * 1024;
  const started = performance.now();
  const result = await runLinkScenario({ count, bytes, credits, slowDelay: 1, timeout: 10 * 60_000 });
  const afterKill = count - result.killedAfter;
  console.log(`link soak: ${count} elements of ${bytes / 1024} KB, 2 consumers x credits ${credits}, one SIGKILLed halfway`);
  console.log(`  missing ${result.missing.length}, reached a sink twice ${result.repeated.length} (limit ${credits})`);
  console.log(`  handled by the killed consumer ${result.handledByKilled}, by the slow one ${result.handledBySlow}`);
  console.log(`  before the kill ${Math.round(result.killedAfter / (result.beforeKillMs / 1000))} elements/s; after it (slow consumer alone) ${Math.round(afterKill / (result.afterKillMs / 1000))}/s`);
  console.log(`  producer: re-sent ${result.producer.resent}, no-responders ${result.producer.refusals}, RSS after GC ${mb(result.rss[0].rss)} at start, growth after warm-up ${mb(rssGrowth(result.rss))}`);
  console.log(`  wall time ${Math.round((performance.now() - started) / 1000)} s`);
  if (result.missing.length > 0 || result.repeated.length > credits) process.exitCode = 1;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const [mode, countArgument] = process.argv.slice(2);
(mode === 'soak' ? soak(Number(countArgument ?? 20_000)) : throughput()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
