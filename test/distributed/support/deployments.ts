/**
 * The three deployments the distributed suite runs against: embedded, two worker threads, and a
 * real nats-server with two real `rivulet worker` processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { Client } from '../../../src';
import { NatsServer } from '../../support/nats-server';
import { waitFor } from '../../support/wait-for';

export const TASKS_MODULE = path.join(__dirname, '..', 'fixtures', 'tasks.ts');
const ROOT = path.join(__dirname, '..', '..', '..');
const HEARTBEAT_INTERVAL = 100;
const WORKER_START_TIMEOUT = 45_000;

export interface Deployment {
  readonly name: 'embedded' | 'threads' | 'nats';
  /** Workers that run tasks in parallel (for CPU-bound checks). */
  readonly workers: number;
  start(): Promise<Client>;
  stop(): Promise<void>;
}

export function embedded(): Deployment {
  let client: Client | undefined;
  return {
    name: 'embedded',
    workers: 1,
    async start() {
      client = new Client();
      await client.whenReady();
      return client;
    },
    async stop() {
      await client?.close();
    },
  };
}

export function threads(): Deployment {
  let client: Client | undefined;
  return {
    name: 'threads',
    workers: 2,
    async start() {
      client = new Client({ workers: 2, tasks: TASKS_MODULE, heartbeatInterval: HEARTBEAT_INTERVAL });
      await client.whenReady();
      return client;
    },
    async stop() {
      await client?.close();
    },
  };
}

/** Starts `rivulet worker` as a real process (through ts-node), the way a user runs it. */
export function startWorkerProcess(url: string, prefix: string, extra: string[] = []): ChildProcess {
  const args = ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src', 'cli', 'main.ts'), 'worker', '--servers', url, '--tasks', TASKS_MODULE];
  const child = spawn(process.execPath, [...args, '--prefix', prefix, '--heartbeat', String(HEARTBEAT_INTERVAL), ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return child;
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export function nats(): Deployment {
  let server: NatsServer | undefined;
  let client: Client | undefined;
  const children: ChildProcess[] = [];
  return {
    name: 'nats',
    workers: 2,
    async start() {
      server = await NatsServer.start();
      const prefix = `test${process.pid}`;
      children.push(startWorkerProcess(server.url, prefix), startWorkerProcess(server.url, prefix));
      client = new Client({ servers: server.url, prefix });
      await client.whenReady();
      const ready = client;
      await waitFor(() => ready.workers().length === 2, WORKER_START_TIMEOUT, 'two rivulet worker processes');
      return client;
    },
    async stop() {
      await client?.close();
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(children.map(exited));
      await server?.stop();
    },
  };
}
