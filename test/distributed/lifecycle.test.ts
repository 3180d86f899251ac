/**
 * Closing and outages over NATS: `client.close()` while a producer keeps emitting, `close()` and a
 * worker's SIGTERM while the server is gone, and a broker restart right after a stream started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { Client, ClientClosingError, CloseTimeoutError, Stream, type ClientOptions } from '../../src';
import { NatsServer } from '../support/nats-server';
import { sleep } from '../support/sleep';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess } from '../support/worker-process';
import { slowInc } from './fixtures/tasks';
import { exited, TASKS_MODULE } from './support/deployments';

const ROOT = path.join(__dirname, '..', '..');
const CLOSING_CLIENT = path.join(__dirname, 'fixtures', 'closing-client.ts');
const START = 45_000;
const TEST_TIMEOUT = 60_000;
/** How long a process may take to exit by itself once it was told to stop (generous: a loaded machine). */
const EXIT_BOUND = 15_000;
const BUFFER = 8;

/** The exit code, or `'still running'` when `child` did not exit within `ms`. */
async function exitWithin(child: ChildProcess, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  try {
    return await Promise.race([exited(child), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Everything `child` printed so far, kept up to date. */
function stdoutOf(child: ChildProcess): { text: string } {
  const output = { text: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return output;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

describe('client close, worker drain and broker outages (real nats-server, real rivulet worker processes)', () => {
  const prefix = `life${process.pid}`;
  let server: NatsServer;
  let worker: ChildProcess;
  const children: ChildProcess[] = [];
  const clients: Client[] = [];

  async function connectedClient(options: ClientOptions = {}): Promise<Client> {
    const client = new Client({ servers: server.url, prefix, ...options });
    clients.push(client);
    await client.whenReady();
    await waitFor(() => client.workers().length === 1, START, 'the worker');
    return client;
  }

  beforeAll(async () => {
    server = await NatsServer.start();
    // The CLI's default heartbeat (1 s), as a user runs it.
    worker = startWorkerProcess(server.url, TASKS_MODULE, ['--prefix', prefix]);
    children.push(worker);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close({ timeout: 1000 }).catch(() => {})));
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await server.stop();
  });

  test('close() while a producer keeps emitting: emits after it began are refused with ClientClosingError, at most the elements in flight still run, close settles', async () => {
    const client = await connectedClient();
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(slowInc).buffer(BUFFER).gather().sinkToList();
    let refusal: unknown;
    let closeBegan = false;
    let acceptedAfterClose = 0;
    const producing = (async () => {
      for (let i = 0; i < 100_000; i++) {
        try {
          await source.emit(i);
        } catch (error) {
          refusal = error;
          return;
        }
        if (closeBegan) acceptedAfterClose++;
      }
    })();
    await waitFor(() => out.length >= 20, 20_000, '20 results');
    closeBegan = true;
    const deliveredBeforeClose = out.length;
    const outcome = await client.close({ timeout: 2000 }).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await producing;
    expect(refusal).toBeInstanceOf(ClientClosingError);
    // The producer awaits each emit: besides the elements holding a credit, one can wait for one.
    expect(acceptedAfterClose).toBeLessThanOrEqual(1);
    expect(out.length - deliveredBeforeClose).toBeLessThanOrEqual(BUFFER + 1);
    if (outcome !== 'resolved') expect(outcome).toBeInstanceOf(CloseTimeoutError);
  }, TEST_TIMEOUT);

  test('a broker stopped and restarted on the same port 0.5 s after a stream of 100 elements started: every element arrives once, in order', async () => {
    // Reconnects long before the worker (nats.js waits reconnectTimeWait, 2 s by default, between attempts).
    const client = await connectedClient({ reconnectTimeWait: 100 });
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(slowInc).buffer(BUFFER).gather();
    const out = gathered.sinkToList();
    const errors = gathered.errors.sinkToList();
    const refused: unknown[] = [];
    const producing = (async () => {
      for (const i of range(100)) await Promise.resolve(source.emit(i)).catch((error: unknown) => refused.push(error));
    })();
    await waitFor(() => out.length >= 1, 20_000, 'the first result');
    await server.stop();
    // The outage itself: the scenario restarts the broker half a second after it went away.
    await sleep(500);
    await server.launch();
    await waitFor(() => out.length >= 100, 30_000, 'all 100 results');
    await producing;
    await source.drain();
    expect(refused).toEqual([]);
    expect(errors).toEqual([]);
    expect(out).toEqual(range(100).map((i) => i + 1));
    await client.close({ timeout: 5000 });
  }, TEST_TIMEOUT);

  // Last: the server is killed and the worker stopped.
  test('with the server gone, close() rejects with CloseTimeoutError and the client process exits by itself; a worker SIGTERMed in the outage exits too', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', CLOSING_CLIENT, server.url, prefix], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const output = stdoutOf(child);
    await waitFor(() => output.text.includes('in flight') || child.exitCode !== null, START, 'the client to have elements in flight');
    expect(output.text).toContain('in flight');
    await server.kill();
    child.kill('SIGUSR2');
    worker.kill('SIGTERM');
    const [clientExit, workerExit] = await Promise.all([exitWithin(child, EXIT_BOUND), exitWithin(worker, EXIT_BOUND)]);
    const closed = /close: \w+/.exec(output.text)?.[0];
    expect({ closed, clientExit, workerExit }).toEqual({ closed: 'close: CloseTimeoutError', clientExit: 0, workerExit: 0 });
  }, TEST_TIMEOUT);
});
