/**
 * Churn: `scatter().map(nap 20 ms).buffer(16).gather()`, 2,000 elements over a bench nats-server
 * and 3 real `rivulet worker` processes (concurrency 1), once without faults (the reference) and
 * once while a worker is SIGKILLed and replaced every 2 s (for at most 30 s). Prints the time
 * ratio and the longest pause between deliveries; every element must arrive once and in order.
 *
 *   npm run churn [-- --elements 2000 --kill-every 2000]
 *
 * Exits 0 only if both runs delivered everything once, in order, the ratio is at most 1.5 and no
 * pause between deliveries reached 3 s.
 */
import { parseArgs } from 'node:util';
import { Client } from '../src';
import { NatsServer } from '../test/support/nats-server';
import { describeRun, runNaps, type NapRun } from './support/nap-run';
import { exitWithOutcome, sleep, waitForWorkers, WorkerProcesses } from './support/processes';

const WORKERS = 3;
const BUFFER = 16;
const TASK_MS = 20;
const KILLING_FOR_MS = 30_000;
const RUN_TIMEOUT_MS = 120_000;
const MAX_RATIO = 1.5;
const MAX_GAP_MS = 3_000;

const { values } = parseArgs({ options: { elements: { type: 'string' }, 'kill-every': { type: 'string' } } });
const ELEMENTS = Number(values.elements ?? 2_000);
const KILL_EVERY_MS = Number(values['kill-every'] ?? 2_000);

async function run(server: NatsServer, name: string, kills: boolean): Promise<NapRun> {
  const prefix = `churn${process.pid}${kills ? 'k' : 'c'}`;
  const workers = new WorkerProcesses(server.url, ['--prefix', prefix]);
  const client = new Client({ servers: server.url, prefix });
  let killing = kills;
  let killed = 0;
  try {
    await workers.start(WORKERS);
    await client.whenReady();
    await waitForWorkers(client, WORKERS);
    const replacements: Array<Promise<number>> = [];
    const faults = (async () => {
      const until = Date.now() + KILLING_FOR_MS;
      while (killing && Date.now() < until) {
        await sleep(KILL_EVERY_MS);
        if (!killing || !workers.killOne()) break;
        killed++;
        const asked = Date.now();
        replacements.push(workers.startOne().then(() => Date.now() - asked));
      }
    })();
    const result = await runNaps(client, { buffer: BUFFER, elements: ELEMENTS, durationOf: () => TASK_MS, timeoutMs: RUN_TIMEOUT_MS });
    killing = false;
    await faults;
    const startMs = await Promise.all(replacements);
    const starts = startMs.length === 0 ? '' : `, ${killed} workers SIGKILLed and replaced (a replacement was ready after ${(mean(startMs) / 1000).toFixed(1)} s on average)`;
    console.log(`${describeRun(name, result)}${starts}`);
    return result;
  } finally {
    killing = false;
    workers.stopAll();
    await client.close({ timeout: 2_000 }).catch(() => undefined);
  }
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function intact(run: NapRun): boolean {
  return run.lost === 0 && run.duplicated === 0 && run.outOfOrder === 0 && run.failed === 0;
}

async function main(): Promise<boolean> {
  const server = await NatsServer.start();
  try {
    console.log(`churn: ${ELEMENTS} x ${TASK_MS} ms, buffer(${BUFFER}), ${WORKERS} rivulet workers; SIGKILL + replacement every ${KILL_EVERY_MS} ms for at most ${KILLING_FOR_MS / 1000} s`);
    const calm = await run(server, 'no kills (reference)', false);
    const churn = await run(server, 'kills', true);
    const ratio = churn.totalMs / calm.totalMs;
    console.log(`\ntotal time with kills / without: ${ratio.toFixed(2)}x (limit ${MAX_RATIO}x); max gap ${(churn.maxGapMs / 1000).toFixed(2)} s (limit ${MAX_GAP_MS / 1000} s)`);
    const ok = intact(calm) && intact(churn) && ratio <= MAX_RATIO && churn.maxGapMs < MAX_GAP_MS;
    console.log(ok ? 'CHURN OK' : 'CHURN FAILED');
    return ok;
  } finally {
    await server.stop();
  }
}

exitWithOutcome('churn', main);
