/** Process helpers shared by the pool benchmarks: real `rivulet worker` processes, bounded waits. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Client } from '../../src';
import { startWorkerProcess, workerReady } from '../../test/support/worker-process';

export const BENCH_TASKS = path.join(__dirname, 'distributed-tasks.ts');
const WORKER_START_TIMEOUT_MS = 30_000;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `promise` settled within `ms`. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** `rivulet worker` processes on one server and prefix, started, SIGKILLed and replaced on demand. */
export class WorkerProcesses {
  private readonly children: ChildProcess[] = [];

  constructor(
    private readonly servers: string,
    private readonly args: string[],
  ) {}

  /** Starts `count` workers; resolves with their ids once each said it is ready. */
  start(count: number): Promise<string[]> {
    return Promise.all(Array.from({ length: count }, () => this.startOne()));
  }

  async startOne(): Promise<string> {
    const child = startWorkerProcess(this.servers, BENCH_TASKS, this.args);
    this.children.push(child);
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[worker ${child.pid}] ${chunk.toString()}`));
    return workerReady(child, WORKER_START_TIMEOUT_MS);
  }

  /** SIGKILLs the oldest live worker (no drain, no goodbye). */
  killOne(): boolean {
    const victim = this.children.find(alive);
    victim?.kill('SIGKILL');
    return victim !== undefined;
  }

  stopAll(): void {
    for (const child of this.children) if (alive(child)) child.kill('SIGKILL');
  }
}

/** Waits (bounded) until the client heard heartbeats from `count` workers. */
export async function waitForWorkers(client: Client, count: number, timeoutMs = WORKER_START_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (client.workers().length < count) {
    if (Date.now() > deadline) throw new Error(`only ${client.workers().length} of ${count} workers announced themselves`);
    await sleep(20);
  }
}

/** Runs a TypeScript file of this project in its own Node process; resolves with its stdout once it exited 0 (killed after `timeoutMs`). */
export function runScript(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', file, ...args], { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${path.basename(file)} ended with ${code ?? signal}:\n${output}`));
    });
  });
}

/** Runs a benchmark's `main` and exits 0 when it passed, 1 when it did not or threw. */
export function exitWithOutcome(name: string, main: () => Promise<boolean>): void {
  main().then(
    (ok) => process.exit(ok ? 0 : 1),
    (error: unknown) => {
      console.error(`${name} failed:`, error);
      process.exit(1);
    },
  );
}
