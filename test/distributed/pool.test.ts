/**
 * The worker pool as a NATS queue group, seen from outside: nats-server's monitoring, the results
 * a user gets when workers lack a task or run another version of it, `buffer(n)` emits, and task
 * and result batches larger than the server's max_payload.
 */
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { Client, PipelineError, Stream } from '../../src';
import type { GatherNode } from '../../src/distributed/gather-node';
import { freePort } from '../support/free-port';
import { isPending } from '../support/is-pending';
import { NatsServer } from '../support/nats-server';
import { sleep } from '../support/sleep';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess, workerReady } from '../support/worker-process';
import { bulky, double, inc, linger, sizeOf } from './fixtures/tasks';
import { exited, TASKS_MODULE } from './support/deployments';

const OTHER_VERSION_TASKS = path.join(__dirname, 'fixtures', 'other-version-tasks.ts');
const TEST_TIMEOUT = 60_000;
const START = 45_000;
const MAX_PAYLOAD = 1024 * 1024;

interface SubscriptionDetail {
  readonly subject: string;
  readonly qgroup?: string;
}

interface Connection {
  readonly subscriptions_list_detail?: readonly SubscriptionDetail[];
}

/** Every connection's subscriptions, as nats-server's monitoring endpoint shows them. */
async function connz(monitorPort: number): Promise<Connection[]> {
  const response = await fetch(`http://127.0.0.1:${monitorPort}/connz?subs=detail`);
  return ((await response.json()) as { connections: Connection[] }).connections;
}

/** The subscriptions of worker `id`'s connection (the one that serves its drain subject). */
function subscriptionsOf(connections: readonly Connection[], prefix: string, id: string): SubscriptionDetail[] {
  const own = connections.find((connection) => connection.subscriptions_list_detail?.some((sub) => sub.subject === `${prefix}.control.drain.${id}`));
  return [...(own?.subscriptions_list_detail ?? [])];
}

/** Emits every value, awaiting each emit; returns the emits that rejected. */
async function emitAll<T>(source: Stream<T>, values: readonly T[]): Promise<unknown[]> {
  const refused: unknown[] = [];
  for (const value of values) {
    try {
      await source.emit(value);
    } catch (error) {
      refused.push(error);
    }
  }
  return refused;
}

/** Resolves once `count` more heartbeats of the client's first worker arrived. */
async function heartbeats(client: Client, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const last = client.workers()[0]?.lastHeartbeat;
    await waitFor(() => client.workers()[0]?.lastHeartbeat !== last, 5000, 'a heartbeat');
  }
}

function scatterState(gathered: unknown): string {
  return (gathered as GatherNode<unknown>).segment.scatterState;
}

describe('the worker pool as a NATS queue group (real nats-server, real rivulet worker processes)', () => {
  const prefix = `pool${process.pid}`;
  let server: NatsServer;
  let monitorPort: number;
  let client: Client;
  const children: ChildProcess[] = [];
  let capable: ChildProcess;
  let capableId: string;
  let otherVersionId: string;

  async function worker(tasks: string, extra: string[] = []): Promise<{ child: ChildProcess; id: string }> {
    const child = startWorkerProcess(server.url, tasks, ['--prefix', prefix, '--heartbeat', '100', ...extra]);
    children.push(child);
    return { child, id: await workerReady(child, START) };
  }

  beforeAll(async () => {
    monitorPort = await freePort();
    server = await NatsServer.start({ args: ['-m', String(monitorPort)] });
    const started = await Promise.all([worker(TASKS_MODULE, ['--concurrency', '4']), worker(OTHER_VERSION_TASKS)]);
    [{ child: capable, id: capableId }, { id: otherVersionId }] = started;
    client = new Client({ servers: server.url, prefix });
    await client.whenReady();
    await waitFor(() => client.workers().length === 2, START, 'both workers heard');
  }, START * 2);

  // A segment logs the other worker's refusals: kept off the test output, checked where they matter.
  let errorLog: jest.SpyInstance;
  beforeEach(() => {
    errorLog = jest.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => errorLog.mockRestore());

  /** Logged lines about the other worker refusing a chain (at most one per segment, not one per batch). */
  function refusalLines(about: string): string[] {
    return errorLog.mock.calls.map((args) => args.join(' ')).filter((line) => line.includes(otherVersionId) && line.includes(about));
  }

  /** `scatter().map(step).buffer(credits).gather()` on the pool: its source, results and errors. */
  function pipeline<T, R>(step: (x: T) => R, credits: number): { source: Stream<T>; out: Awaited<R>[]; errors: PipelineError[] } {
    const source = new Stream<T>();
    const gathered = source.scatter({ client }).map(step).buffer(credits).gather();
    return { source, out: gathered.sinkToList(), errors: gathered.errors.sinkToList() };
  }

  afterAll(async () => {
    await client?.close({ timeout: 1000 }).catch(() => {});
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await server?.stop();
  });

  test('nats-server monitoring shows each idle worker in queue group <pool> on <prefix>.tasks.<pool>, and no task subject of its own', async () => {
    const expected = { subject: `${prefix}.tasks.default`, qgroup: 'default' };
    const ids = [capableId, otherVersionId];
    const served = (subscriptions: SubscriptionDetail[][]): boolean => subscriptions.every((subs) => subs.some((sub) => sub.subject === expected.subject));
    let subscriptions: SubscriptionDetail[][] = [];
    const deadline = Date.now() + 5000;
    do {
      if (subscriptions.length > 0) await sleep(20);
      const connections = await connz(monitorPort);
      subscriptions = ids.map((id) => subscriptionsOf(connections, prefix, id));
    } while (!served(subscriptions) && Date.now() < deadline);
    for (const subs of subscriptions) {
      expect(subs).toContainEqual(expect.objectContaining(expected));
      expect(subs.filter((sub) => sub.subject.startsWith(`${prefix}.tasks.`)).map((sub) => sub.subject)).toEqual([expected.subject]);
    }
  });

  test.each([5, 8])('buffer(%i): that many emits return at once, the next one waits until a result was delivered', async (n) => {
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(linger).buffer(n).gather().sinkToList();
    for (let i = 0; i < n; i++) expect(source.emit(i)).toBeUndefined();
    const next = source.emit(n);
    expect(next).toBeInstanceOf(Promise);
    expect(await isPending(next as Promise<void>)).toBe(true);
    await next;
    expect(out.length).toBeGreaterThan(0);
    await source.drain();
    expect(out).toEqual(Array.from({ length: n + 1 }, (_, i) => i));
  }, TEST_TIMEOUT);

  test.each([
    { what: 'whose tasks module lacks the task', step: double, expected: (i: number) => 2 * i, refusal: "has no task 'double'" },
    { what: 'with another function registered under the same name', step: inc, expected: (i: number) => i + 1, refusal: "has task 'inc' in version" },
  ])('a worker $what never runs it: all 200 elements succeed with the values of the pipeline\'s version', async ({ step, expected, refusal }) => {
    const { source, out, errors } = pipeline(step, 16);
    const refused = await emitAll(source, Array.from({ length: 200 }, (_, i) => i));
    await source.drain();
    expect(refused).toEqual([]);
    expect(errors).toEqual([]);
    expect(out).toEqual(Array.from({ length: 200 }, (_, i) => expected(i)));
    expect(client.workers().find((info) => info.id === otherVersionId)).toMatchObject({ done: 0, failed: 0 });
    expect(refusalLines(refusal).length).toBeLessThanOrEqual(1);
  }, TEST_TIMEOUT);

  test('four 600 KB elements emitted together (one batch over max_payload) all succeed', async () => {
    const { source, out, errors } = pipeline(sizeOf, 8);
    const elements = ['a', 'b', 'c', 'd'].map((letter) => letter.repeat(600_000));
    const emits = elements.map((element) => source.emit(element));
    await Promise.all(emits);
    await source.drain();
    expect(errors).toEqual([]);
    expect(out).toEqual([600_000, 600_000, 600_000, 600_000]);
  }, TEST_TIMEOUT);

  test('one element over max_payload fails alone with its own error; the others of its batch succeed', async () => {
    const { source, out, errors } = pipeline(sizeOf, 8);
    const tooLarge = 'x'.repeat(MAX_PAYLOAD + 1000);
    const emits = ['a', 'bb', tooLarge, 'dddd'].map((element) => source.emit(element));
    await Promise.all(emits);
    await source.drain();
    expect(out).toEqual([1, 2, 4]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(PipelineError);
    expect(errors[0].element).toBe(tooLarge);
    expect(errors[0].message).toContain('max_payload');
  }, TEST_TIMEOUT);

  test('four 600 KB results finishing together (one result batch over max_payload) all arrive', async () => {
    const { source, out, errors } = pipeline(bulky, 8);
    await Promise.all([1, 2, 3, 4].map(() => source.emit(600_000)));
    await source.drain();
    expect(errors).toEqual([]);
    expect(out.map((result) => result.length)).toEqual([600_000, 600_000, 600_000, 600_000]);
  }, TEST_TIMEOUT);

  // Last: it stops the capable worker.
  test('with only a worker lacking the task, the scatter is missingTasks, says so in one log line and the emit waits; a capable worker joining runs it', async () => {
    capable.kill('SIGTERM');
    await exited(capable);
    await waitFor(() => client.workers().length === 1, 5000, 'the stopped worker to leave the directory');
    errorLog.mockClear();
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(double).gather();
    const out = gathered.sinkToList();
    const emitted = source.emit(21);
    expect(scatterState(gathered)).toBe('missingTasks');
    expect(emitted).toBeInstanceOf(Promise);
    await heartbeats(client, 3);
    expect(await isPending(emitted as Promise<void>)).toBe(true);
    expect(scatterState(gathered)).toBe('missingTasks');
    expect(errorLog.mock.calls.map((args) => args.join(' '))).toEqual([expect.stringContaining("no live worker can run task 'double'")]);
    await worker(TASKS_MODULE);
    await emitted;
    await source.drain();
    expect(out).toEqual([42]);
    expect(scatterState(gathered)).not.toBe('missingTasks');
  }, TEST_TIMEOUT);
});
