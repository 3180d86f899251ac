/**
 * What a worker's remote inspection costs: `scatter().map(inc).buffer(1).gather()` on an embedded
 * client (in process, so the worker's own work dominates: one task per element and two actor
 * transitions per element, BUSY and IDLE, the worst case for the hook), four clients in the same
 * run: the worker's inspection removed (no hook, no subscription to asks: the reference), only its
 * hook removed (the subscription to asks kept), as shipped with nobody inspecting, and as shipped
 * while an inspector asks (reports at most every 100 ms). Interleaved rounds, the order reversed
 * every other round, medians.
 *
 *   npx ts-node -T bench/remote-inspect.ts [--elements 20000] [--rounds 9]
 */
import { parseArgs } from 'node:util';
import { Client } from '../src';
import { BusRemoteActors } from '../src/inspect/remote-actors';
import { alternating, measure, printTable, type Case } from './harness';
import { runSegmentPipeline } from './support/segment-pipeline';

const { values } = parseArgs({ options: { elements: { type: 'string' }, rounds: { type: 'string' } } });
const ELEMENTS = Number(values.elements ?? 20_000);
const ROUNDS = Number(values.rounds ?? 9);

interface EmbeddedInternals {
  embeddedWorker: { inspection: { record(event: unknown): void; attach(bus: unknown): void; close(): void } };
}

async function main(): Promise<void> {
  const clients = [new Client(), new Client(), new Client(), new Client()];
  await Promise.all(clients.map((client) => client.whenReady()));
  const [removed, unhooked, unwatched, watched] = clients;
  (removed as unknown as EmbeddedInternals).embeddedWorker.inspection = { record: () => {}, attach: () => {}, close: () => {} };
  (unhooked as unknown as EmbeddedInternals).embeddedWorker.inspection.record = () => {};
  const inspector = new BusRemoteActors();
  watched.onReady((bus) => inspector.attach(bus));
  const stopWatching = inspector.watch();
  try {
    const cases: Case[] = [
      { name: 'inspection removed', run: () => runSegmentPipeline(removed, ELEMENTS, 1) },
      { name: 'hook removed, asks subscribed', run: () => runSegmentPipeline(unhooked, ELEMENTS, 1) },
      { name: 'hook, nobody inspecting', run: () => runSegmentPipeline(unwatched, ELEMENTS, 1) },
      { name: 'hook, an inspector asking', run: () => runSegmentPipeline(watched, ELEMENTS, 1) },
    ];
    await measure(cases, 1);
    printTable(`buffer(1), ${ELEMENTS} elements, embedded, median of ${ROUNDS} rounds after a warm-up`, await alternating(cases, ROUNDS), 'inspection removed');
  } finally {
    stopWatching();
    for (const client of clients) await client.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
