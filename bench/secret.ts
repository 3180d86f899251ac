/**
 * What the cluster secret costs on NATS: `scatter().map(inc).buffer(256).gather()` through one real
 * `rivulet worker` process without a secret and one with `--secret-file`, interleaved rounds in the
 * same run (median of each, the order reversed every other round), ratio against the no-secret figure. Also small single-element rounds
 * (`buffer(1)`: one task batch, acknowledgement and result per element), where the per-message cost
 * shows most.
 *
 *   npx ts-node -T bench/secret.ts [--elements 100000] [--rounds 9]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '../src';
import { NatsServer } from '../test/support/nats-server';
import { alternating, measure, printTable, type Case } from './harness';
import { runSegmentPipeline } from './support/segment-pipeline';

const SECRET = 'bench secret, 32 bytes or so....';
const TASKS = path.join(__dirname, 'support', 'distributed-tasks.ts');
const ROOT = path.join(__dirname, '..');
const START_TIMEOUT = 30_000;

const { values } = parseArgs({ options: { elements: { type: 'string' }, rounds: { type: 'string' } } });
const ELEMENTS = Number(values.elements ?? 100_000);
const ROUNDS = Number(values.rounds ?? 9);
const SINGLE_ELEMENTS = Math.max(1, Math.floor(ELEMENTS / 20));

interface Cluster {
  client: Client;
  worker: ChildProcess;
}

async function startCluster(url: string, prefix: string, secretFile?: string): Promise<Cluster> {
  const secretArgs = secretFile === undefined ? [] : ['--secret-file', secretFile];
  const args = ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src', 'cli', 'main.ts'), 'worker', '--servers', url, '--tasks', TASKS, '--prefix', prefix, '--concurrency', '64', ...secretArgs];
  const worker = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const client = new Client({ servers: url, prefix, ...(secretFile === undefined ? {} : { secret: SECRET }) });
  await client.whenReady();
  const deadline = Date.now() + START_TIMEOUT;
  while (client.workers().length === 0) {
    if (Date.now() > deadline) throw new Error(`the ${prefix} worker did not announce itself`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { client, worker };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rivulet-bench-secret-'));
  const secretFile = path.join(dir, 'secret');
  writeFileSync(secretFile, `${SECRET}\n`);
  const server = await NatsServer.start();
  const plain = await startCluster(server.url, 'plain');
  const secured = await startCluster(server.url, 'secured', secretFile);
  try {
    const cases = (elements: number, credits: number): Case[] => [
      { name: 'NATS, no secret', run: () => runSegmentPipeline(plain.client, elements, credits) },
      { name: 'NATS, cluster secret', run: () => runSegmentPipeline(secured.client, elements, credits) },
    ];
    await measure(cases(ELEMENTS, 256), 1);
    printTable(`buffer(256), ${ELEMENTS} elements, median of ${ROUNDS} rounds after a warm-up`, await alternating(cases(ELEMENTS, 256), ROUNDS), 'NATS, no secret');
    printTable(`buffer(1), ${SINGLE_ELEMENTS} elements (one batch, acknowledgement and result each), median of ${ROUNDS}`, await alternating(cases(SINGLE_ELEMENTS, 1), ROUNDS), 'NATS, no secret');
    const refused = secured.client.authRefusals;
    console.log(`\nmessages the secured client refused: ${JSON.stringify(refused)}`);
  } finally {
    for (const { client, worker } of [plain, secured]) {
      await client.close();
      worker.kill('SIGTERM');
    }
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
