/**
 * Pipelined request/reply, 256 in flight: NatsBus against a hand-written nats.js baseline using
 * the same one-inbox-plus-id pattern (raw bytes, no codec), nats.js's own `request()`, and the
 * in-process bus. Starts its own nats-server on a free port.
 *   npx ts-node -T bench/transport.ts
 */
import { connect, createInbox, type NatsConnection } from '@nats-io/transport-node';
import { InProcessBus } from '../src/transport/in-process-bus';
import { NatsBus } from '../src/transport/nats-bus';
import type { Bus } from '../src/transport/bus';
import { NatsServer } from '../test/support/nats-server';
import { measure, median, printTable, type Case, type Measured } from './harness';

const COUNT = Number(process.env.BENCH_COUNT ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const IN_FLIGHT = 256;
const RAW_SUBJECT = 'bench.raw.echo';
const BUS_SUBJECT = 'bench.bus.echo';
const BASELINE = 'nats.js raw, one inbox + id matching';
const NATS_BUS = 'NatsBus.request (msgpackr codec)';

/** Runs `count` calls of `send`, keeping `IN_FLIGHT` of them outstanding. */
async function pipelined(count: number, send: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return count;
}

/** The baseline: what a careful hand-written nats.js client does, with raw bytes. */
function rawInboxRequester(nc: NatsConnection): (payload: Uint8Array) => Promise<Uint8Array> {
  const prefix = `${createInbox()}.`;
  const waiting = new Map<number, (data: Uint8Array) => void>();
  let nextId = 1;
  nc.subscribe(`${prefix}*`, {
    callback: (error, msg) => {
      if (error !== null) return;
      const id = Number(msg.subject.slice(prefix.length));
      const resolve = waiting.get(id);
      waiting.delete(id);
      resolve?.(msg.data);
    },
  });
  return (payload) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      nc.publish(RAW_SUBJECT, payload, { reply: prefix + id });
    });
}

function echoOnBus(bus: Bus): void {
  bus.subscribe<number>(BUS_SUBJECT, (message) => {
    if (message.reply !== undefined) bus.publish(message.reply, message.data + 1);
  });
}

/** One measurement per round, so each round's cases ran under the same machine load. */
async function measureRounds(cases: Case[]): Promise<Measured[][]> {
  const rounds: Measured[][] = [];
  for (let round = 0; round < ROUNDS; round++) rounds.push(await measure(cases, 1));
  return rounds;
}

function rateOf(round: Measured[], name: string): number {
  return round.find((measured) => measured.name === name)?.perSecond ?? NaN;
}

async function main(): Promise<void> {
  const server = await NatsServer.start();
  try {
    const rawResponder = await connect({ servers: server.url });
    rawResponder.subscribe(RAW_SUBJECT, {
      callback: (_error, msg) => {
        if (msg.reply) rawResponder.publish(msg.reply, msg.data);
      },
    });
    const rawRequesterConnection = await connect({ servers: server.url });
    const rawRequest = rawInboxRequester(rawRequesterConnection);
    const payload = new Uint8Array(8);

    const busResponder = await NatsBus.connect({ servers: server.url });
    echoOnBus(busResponder);
    const busRequester = await NatsBus.connect({ servers: server.url });
    const inProcess = new InProcessBus();
    echoOnBus(inProcess);
    await Promise.all([rawResponder.flush(), busResponder.flush()]);

    const cases: Case[] = [
      { name: BASELINE, run: () => pipelined(COUNT, () => rawRequest(payload)) },
      { name: NATS_BUS, run: () => pipelined(COUNT, (i) => busRequester.request(BUS_SUBJECT, i)) },
      {
        name: 'nats.js nc.request() per call',
        run: () => pipelined(COUNT / 5, () => rawRequesterConnection.request(RAW_SUBJECT, payload, { timeout: 5000 })),
      },
      { name: 'InProcessBus.request', run: () => pipelined(COUNT, (i) => inProcess.request(BUS_SUBJECT, i)) },
    ];
    const rounds = await measureRounds(cases);
    const medians = cases.map((c) => ({ name: c.name, perSecond: median(rounds.map((round) => rateOf(round, c.name))) }));
    printTable(`Transport: pipelined request/reply, ${IN_FLIGHT} in flight, round trips/s (median of ${ROUNDS})`, medians, BASELINE);
    const ratios = rounds.map((round) => rateOf(round, NATS_BUS) / rateOf(round, BASELINE));
    console.log(`  NatsBus / raw baseline, median of per-round ratios: ${median(ratios).toFixed(2)}x (rounds: ${ratios.map((r) => r.toFixed(2)).join(' ')})`);

    await Promise.all([busRequester.close(), busResponder.close(), inProcess.close(), rawResponder.close(), rawRequesterConnection.close()]);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
