/** One run of `scatter().map(nap).buffer(n).gather()`: its time, longest pause between deliveries and a check of every id. */
import { Client, Stream } from '../../src';
import { nap } from './distributed-tasks';
import { settlesWithin } from './processes';

export interface NapRun {
  elements: number;
  totalMs: number;
  /** Longest time between two deliveries (from the first emit). */
  maxGapMs: number;
  /** Ids never delivered, delivered more than once, and deliveries out of emission order. */
  lost: number;
  duplicated: number;
  outOfOrder: number;
  failed: number;
  /** Deliveries before `stopAt` (all of them without one). */
  deliveredInTime: number;
}

export interface NapRunOptions {
  buffer: number;
  /** Task length of element `i` in ms. */
  durationOf: (i: number) => number;
  elements: number;
  /** The run fails (counts what is missing as lost) if it is not done within this. */
  timeoutMs: number;
  /** Stop emitting at this time (Date.now()), even with elements left; the run counts what it emitted. */
  stopAt?: number;
}

export async function runNaps(client: Client, options: NapRunOptions): Promise<NapRun> {
  const source = new Stream<[number, number]>();
  const counts = new Uint8Array(options.elements);
  let last = -1;
  let outOfOrder = 0;
  let failed = 0;
  const started = performance.now();
  let lastDelivery = started;
  let maxGapMs = 0;
  let deliveredInTime = 0;
  source
    .scatter({ client })
    .map(nap)
    .buffer(options.buffer)
    .gather()
    .sink((id: number) => {
      const now = performance.now();
      maxGapMs = Math.max(maxGapMs, now - lastDelivery);
      lastDelivery = now;
      if (id < last) outOfOrder++;
      last = id;
      counts[id]++;
      if (Date.now() < (options.stopAt ?? Infinity)) deliveredInTime++;
    });
  let emitted = 0;
  const emitting = (async () => {
    for (; emitted < options.elements && Date.now() < (options.stopAt ?? Infinity); emitted++) {
      const pending = source.emit([emitted, options.durationOf(emitted)]);
      if (pending !== undefined) await pending.catch(() => failed++);
    }
    await source.drain();
  })();
  const done = await settlesWithin(emitting, options.timeoutMs);
  const totalMs = performance.now() - started;
  if (!done) console.log(`run not done within ${options.timeoutMs} ms`);
  let lost = 0;
  let duplicated = 0;
  for (let id = 0; id < emitted; id++) {
    if (counts[id] === 0) lost++;
    else duplicated += counts[id] - 1;
  }
  return { elements: emitted, totalMs, maxGapMs, lost, duplicated, outOfOrder, failed, deliveredInTime };
}

export function describeRun(name: string, run: NapRun): string {
  return `${name.padEnd(28)} ${(run.totalMs / 1000).toFixed(2).padStart(7)} s, max gap ${(run.maxGapMs / 1000).toFixed(2)} s, lost ${run.lost}, duplicated ${run.duplicated}, out of order ${run.outOfOrder}, failed ${run.failed}`;
}
