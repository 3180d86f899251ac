import type { ChildProcess } from 'node:child_process';
import { ArgumentRangeError, Client, Stream } from '../../src';
import { CloseTimeoutError } from '../../src/distributed/client/client';
import type { GatherNode } from '../../src/distributed/gather-node';
import { isPending } from '../support/is-pending';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';
import { linger, slowInc } from './fixtures/tasks';
import { exited, startWorkerProcess } from './support/deployments';

/** Generous: under load, `rivulet worker` through ts-node can take many seconds to start. */
const START = 45_000;
const TEST_TIMEOUT = 90_000;

describe('worker faults over NATS (real nats-server, real rivulet worker processes)', () => {
  let server: NatsServer;
  const children: ChildProcess[] = [];
  const clients: Client[] = [];
  let prefixCount = 0;

  function worker(prefix: string, extra: string[] = []): ChildProcess {
    const child = startWorkerProcess(server.url, prefix, extra);
    children.push(child);
    return child;
  }

  async function connectedClient(prefix: string, workers: number): Promise<Client> {
    const client = new Client({ servers: server.url, prefix });
    clients.push(client);
    await client.whenReady();
    await waitFor(() => client.workers().length === workers, START, `${workers} workers`);
    return client;
  }

  function freshPrefix(): string {
    return `faults${process.pid}x${++prefixCount}`;
  }

  beforeAll(async () => {
    server = await NatsServer.start();
  });
  afterAll(async () => {
    // A failed test leaves its client open: close it, or jest never exits.
    await Promise.all(clients.map((client) => client.close({ timeout: 1000 }).catch(() => {})));
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await server.stop();
  });

  test('with no workers scatter waits and emit stays pending; a worker joining takes the task', async () => {
    const prefix = freshPrefix();
    const client = await connectedClient(prefix, 0);
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(linger).gather();
    const out = gathered.sinkToList();
    const emitted = source.emit(7);
    expect((gathered as GatherNode<number>).segment.scatterState).toBe('waitingForWorkers');
    expect(emitted).toBeInstanceOf(Promise);
    expect(await isPending(emitted as Promise<void>)).toBe(true);
    worker(prefix);
    await emitted;
    await source.drain();
    expect(out).toEqual([7]);
    await client.close();
  }, TEST_TIMEOUT);

  test('close() with no workers and pending elements rejects after its timeout, saying how many were pending', async () => {
    const client = await connectedClient(freshPrefix(), 0);
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(linger).buffer(2).gather();
    const errors = gathered.errors.sinkToList();
    const emits = [0, 1, 2].map((i) => Promise.resolve(source.emit(i)).catch((error: unknown) => error));
    expect(() => client.close({ timeout: -1 })).toThrow(ArgumentRangeError);
    const started = Date.now();
    const failure = await client.close({ timeout: 200 }).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(failure).toBeInstanceOf(CloseTimeoutError);
    expect(failure).toMatchObject({ pending: 3, message: expect.stringContaining('3 element(s) still pending (0 worker(s) available)') });
    const settled = await Promise.all(emits);
    expect(settled.filter((outcome) => outcome === failure).length + errors.length).toBe(3);
    await source.drain();
  }, TEST_TIMEOUT);

  test('tasks of a killed worker are sent again; all 500 elements yield one result each, in order', async () => {
    const prefix = freshPrefix();
    const victim = worker(prefix, ['--concurrency', '4']);
    worker(prefix, ['--concurrency', '4']);
    const client = await connectedClient(prefix, 2);
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(slowInc).buffer(16).gather().sinkToList();
    const emitting = (async () => {
      for (let i = 0; i < 500; i++) await source.emit(i);
    })();
    await waitFor(() => out.length >= 50 && client.workers().every((info) => info.inFlight > 0), 10_000, '50 results and both workers busy');
    victim.kill('SIGKILL');
    await emitting;
    await source.drain();
    expect(out).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(client.workers()).toHaveLength(1);
    await client.close();
  }, TEST_TIMEOUT);

  test('results of a worker that stalled and came back are dropped as duplicates', async () => {
    const prefix = freshPrefix();
    const staller = worker(prefix, ['--concurrency', '2', '--prefetch', '0']);
    worker(prefix, ['--concurrency', '2', '--prefetch', '0']);
    const client = await connectedClient(prefix, 2);
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(linger).buffer(8).gather() as GatherNode<number>;
    const out = gathered.sinkToList();
    // Four tasks, each worker has room for two: a batch of two to each.
    for (let i = 0; i < 4; i++) expect(source.emit(i)).toBeUndefined();
    await waitFor(() => client.workers().every((info) => info.inFlight === 2), 5000, 'both workers to run two tasks');
    staller.kill('SIGSTOP');
    await source.drain();
    staller.kill('SIGCONT');
    await waitFor(() => gathered.segment.duplicates === 2, 5000, 'the stalled worker to answer late');
    expect(out).toEqual([0, 1, 2, 3]);
    await client.close();
  }, TEST_TIMEOUT);

  test('after the NATS server restarts, tasks in flight are sent again and every element yields one result', async () => {
    const prefix = freshPrefix();
    worker(prefix);
    const client = await connectedClient(prefix, 1);
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(linger).buffer(4).gather().sinkToList();
    for (let i = 0; i < 3; i++) await source.emit(i);
    await server.restart();
    await source.drain();
    expect(out).toEqual([0, 1, 2]);
    await client.close();
  }, TEST_TIMEOUT);

  test('SIGTERM: the worker finishes its in-flight task, announces it stopped and exits 0', async () => {
    const prefix = freshPrefix();
    const child = worker(prefix);
    const client = await connectedClient(prefix, 1);
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(linger).buffer(2).gather().sinkToList();
    await source.emit(1);
    await waitFor(() => client.workers()[0]?.inFlight === 1, 5000, 'the task to start');
    child.kill('SIGTERM');
    await source.drain();
    expect(out).toEqual([1]);
    expect(await exited(child)).toBe(0);
    await waitFor(() => client.workers().length === 0, 5000, 'the stopped heartbeat');
    await client.close();
  }, TEST_TIMEOUT);
});
