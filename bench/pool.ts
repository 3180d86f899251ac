/**
 * The worker pool as a queue group, on a bench nats-server with real `rivulet worker` processes:
 *
 * - fairness: two client processes share 2 workers (concurrency 4, 10 ms tasks), one with
 *   buffer(64), one with buffer(4), emitting for the same seconds. The smaller must get at least a
 *   third of the larger's throughput. Reference: the buffer(64) client alone on the same workers.
 * - mixed: 2 workers of concurrency 1, tasks alternating 2 ms and 40 ms, buffer(8). Total time
 *   against the ideal: the same tasks' durations measured one after another in this process, / 2.
 *
 *   npm run bench:pool [-- --seconds 6 --elements 400]
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '../src';
import { NatsServer } from '../test/support/nats-server';
import { formatRate } from './harness';
import { describeRun, runNaps, type NapRun } from './support/nap-run';
import { exitWithOutcome, runScript, sleep, waitForWorkers, WorkerProcesses } from './support/processes';

const CLIENT = path.join(__dirname, 'support', 'pool-client.ts');
const FAIR_WORKERS = 2;
const FAIR_CONCURRENCY = 4;
const FAIR_TASK_MS = 10;
const BUFFERS = [64, 4] as const;
/** Time for the client processes to start and hear the workers before their common start. */
const CLIENT_START_MS = 8_000;
const MIN_SHARE = 1 / 3;
const MIXED_BUFFER = 8;
const MIXED_MS = [2, 40] as const;
const MAX_MIXED_RATIO = 1.2;

const { values } = parseArgs({ options: { seconds: { type: 'string' }, elements: { type: 'string' } } });
const SECONDS = Number(values.seconds ?? 6);
const MIXED_ELEMENTS = Number(values.elements ?? 400);

function rate(run: NapRun): number {
  return run.deliveredInTime / SECONDS;
}

/** Client processes running at the same time, one per buffer size. */
async function clientsTogether(server: NatsServer, prefix: string, buffers: readonly number[]): Promise<NapRun[]> {
  const start = String(Date.now() + CLIENT_START_MS);
  const common = ['--servers', server.url, '--prefix', prefix, '--ms', String(FAIR_TASK_MS), '--start', start, '--seconds', String(SECONDS), '--workers', String(FAIR_WORKERS)];
  const outputs = await Promise.all(buffers.map((buffer) => runScript(CLIENT, [...common, '--buffer', String(buffer)], CLIENT_START_MS + SECONDS * 1000 + 60_000)));
  return outputs.map((output) => JSON.parse(output.trim().split('\n').pop() as string) as NapRun);
}

async function fairness(server: NatsServer): Promise<boolean> {
  const prefix = `poolf${process.pid}`;
  const workers = new WorkerProcesses(server.url, ['--prefix', prefix, '--concurrency', String(FAIR_CONCURRENCY)]);
  try {
    await workers.start(FAIR_WORKERS);
    console.log(`fairness: ${FAIR_WORKERS} workers of concurrency ${FAIR_CONCURRENCY}, ${FAIR_TASK_MS} ms tasks, ${SECONDS} s per run`);
    const [alone] = await clientsTogether(server, prefix, [BUFFERS[0]]);
    console.log(`  buffer(${BUFFERS[0]}) alone (reference)  ${formatRate(rate(alone)).padStart(10)}`);
    const shared = await clientsTogether(server, prefix, BUFFERS);
    for (const [i, run] of shared.entries()) console.log(`  buffer(${BUFFERS[i]}) sharing          ${formatRate(rate(run)).padStart(10)}  ${(rate(run) / rate(alone)).toFixed(2)}x alone`);
    const share = rate(shared[1]) / rate(shared[0]);
    const intact = [alone, ...shared].every((run) => run.lost === 0 && run.duplicated === 0 && run.outOfOrder === 0 && run.failed === 0);
    console.log(`  buffer(${BUFFERS[1]}) / buffer(${BUFFERS[0]}): ${share.toFixed(2)} (at least ${MIN_SHARE.toFixed(2)}); every element once and in order: ${intact}`);
    return intact && share >= MIN_SHARE;
  } finally {
    workers.stopAll();
  }
}

/** The same naps one after another in this process: what the tasks themselves take. */
async function sequentialMs(durationOf: (i: number) => number, elements: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < elements; i++) await sleep(durationOf(i));
  return performance.now() - started;
}

async function mixed(server: NatsServer): Promise<boolean> {
  const prefix = `poolm${process.pid}`;
  const workers = new WorkerProcesses(server.url, ['--prefix', prefix, '--concurrency', '1']);
  const client = new Client({ servers: server.url, prefix });
  const durationOf = (i: number): number => MIXED_MS[i % MIXED_MS.length];
  try {
    await workers.start(2);
    await client.whenReady();
    await waitForWorkers(client, 2);
    console.log(`\nmixed: 2 workers of concurrency 1, ${MIXED_ELEMENTS} tasks alternating ${MIXED_MS.join(' ms and ')} ms, buffer(${MIXED_BUFFER})`);
    const ideal = (await sequentialMs(durationOf, MIXED_ELEMENTS)) / 2;
    const run = await runNaps(client, { buffer: MIXED_BUFFER, elements: MIXED_ELEMENTS, durationOf, timeoutMs: 60_000 });
    console.log(`  ideal (the tasks one after another here, / 2)  ${(ideal / 1000).toFixed(2)} s`);
    console.log(`  ${describeRun('pool', run)}`);
    const ratio = run.totalMs / ideal;
    console.log(`  pool / ideal: ${ratio.toFixed(2)}x (at most ${MAX_MIXED_RATIO}x)`);
    return run.lost === 0 && run.duplicated === 0 && run.outOfOrder === 0 && run.failed === 0 && ratio <= MAX_MIXED_RATIO;
  } finally {
    workers.stopAll();
    await client.close({ timeout: 2_000 }).catch(() => undefined);
  }
}

async function main(): Promise<boolean> {
  const server = await NatsServer.start();
  try {
    const fair = await fairness(server);
    const mixedOk = await mixed(server);
    console.log(fair && mixedOk ? '\nPOOL OK' : '\nPOOL FAILED');
    return fair && mixedOk;
  } finally {
    await server.stop();
  }
}

exitWithOutcome('pool benchmark', main);
