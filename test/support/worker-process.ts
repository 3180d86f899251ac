/** A real `rivulet worker` process (run from source through ts-node) that a test can SIGKILL. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '../../src';
import type { NatsServer } from './nats-server';

const ROOT = join(__dirname, '..', '..');

/** Every worker still running, killed when the test process exits (one listener for all). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function startWorkerProcess(servers: string, tasks: string, extraArgs: string[] = []): ChildProcess {
  return startWorkerCommand(['--servers', servers, '--tasks', tasks, ...extraArgs]);
}

/** `rivulet worker ARGS`, with `env` added to this process's environment. */
export function startWorkerCommand(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'cli', 'main.ts'), 'worker', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Resolves with the worker id once the process says it is ready (fails after `timeout` ms). */
export function workerReady(child: ChildProcess, timeout = 15000): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`worker not ready within ${timeout} ms:\n${output}`)), timeout);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const ready = /rivulet worker (\S+) ready/.exec(output);
      if (ready === null) return;
      clearTimeout(timer);
      resolve(ready[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready:\n${output}`));
    });
  });
}

/** SIGKILLs `child` unless it already exited; resolves once it did. */
export async function killWorkerProcess(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exit;
}

/** What a test started against a worker process; `stopStarted` ends whichever of them exist. */
export interface Started {
  server?: NatsServer;
  worker?: ChildProcess;
  client?: Client;
}

export async function stopStarted(started: Started): Promise<void> {
  await started.client?.close({ timeout: 1000 }).catch(() => {});
  await killWorkerProcess(started.worker);
  await started.server?.stop();
}
