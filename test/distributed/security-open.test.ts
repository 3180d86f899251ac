/**
 * The attacks of issue #12 against a cluster WITHOUT a secret (real nats-server, two real
 * `rivulet worker` processes, an attacker with a plain nats.js connection): they cannot crash a
 * process, grow memory without bound or hold a pipeline past one lease. What remains possible is
 * shown too (docs/security.md): a drain request is obeyed, and a believable result is believed.
 */
import type { ChildProcess } from 'node:child_process';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client, Stream } from '../../src';
import { MAX_KNOWN_WORKERS } from '../../src/distributed/client/worker-directory';
import type { GatherNode } from '../../src/distributed/gather-node';
import type { Heartbeat } from '../../src/distributed/protocol';
import { Subjects } from '../../src/distributed/subjects';
import { Codec } from '../../src/transport/codec';
import { withinBound } from '../../src/util/bounded';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess, workerReady } from '../support/worker-process';
import { floodTasks, forgeDrain, forgeHeartbeats, forgeResults, implausibleForgeries, record, replay, residentMiB } from './support/attacks';
import { linger } from './fixtures/tasks';
import { exited, TASKS_MODULE } from './support/deployments';
import { MAX_PREFETCH_FACTOR } from '../../src/distributed/worker/prefetch';

const START = 45_000;
const TEST_TIMEOUT = 60_000;
const LEASE = 3_000;
const ELEMENTS = 24;
const CONCURRENCY = 2;
const FLOOD = 20_000;
const codec = new Codec();

describe('without a secret (real nats-server, two real rivulet workers)', () => {
  const prefix = `open${process.pid}`;
  const subjects = new Subjects(prefix);
  let server: NatsServer;
  const workers: Array<{ child: ChildProcess; id: string }> = [];
  let client: Client;
  let attacker: NatsConnection;
  const beats: Heartbeat[] = [];
  let errorLog: jest.SpyInstance;

  beforeAll(async () => {
    errorLog = jest.spyOn(console, 'error').mockImplementation(() => {});
    server = await NatsServer.start();
    for (let i = 0; i < 2; i++) {
      const child = startWorkerProcess(server.url, TASKS_MODULE, ['--prefix', prefix, '--heartbeat', '100', '--concurrency', String(CONCURRENCY)]);
      workers.push({ child, id: await workerReady(child, START) });
    }
    attacker = await connect({ servers: server.url });
    attacker.subscribe(subjects.heartbeat, { callback: (error, msg) => void (error === null && beats.push(codec.decode(msg.data) as Heartbeat)) });
    client = new Client({ servers: server.url, prefix, lease: LEASE });
    await client.whenReady();
    await waitFor(() => client.workers().length === 2, START, 'both workers heard');
  }, START * 2);

  afterAll(async () => {
    await client?.close({ timeout: 1000 }).catch(() => {});
    await attacker?.close();
    for (const { child } of workers) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(workers.map(({ child }) => exited(child)));
    await server?.stop();
    errorLog.mockRestore();
  });

  function pipeline(): { source: Stream<number>; out: number[]; errors: unknown[]; resultSubject: string } {
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(linger).buffer(8).gather();
    return { source, out: gathered.sinkToList(), errors: gathered.errors.sinkToList(), resultSubject: subjects.results((gathered as GatherNode<number>).segment.id) };
  }

  test('implausible results, 2,000 ghost and wildcard heartbeats, fake task floods and replays: no crash, bounded memory and queues, every element once within a lease', async () => {
    const rssBefore = await Promise.all(workers.map(({ child }) => residentMiB(child.pid as number)));
    const recorded = record(attacker, [`${prefix}.results.>`, subjects.heartbeat, subjects.capacity]);
    await floodTasks(attacker, subjects, FLOOD);
    const { source, out, errors, resultSubject } = pipeline();
    const flooding = floodTasks(attacker, subjects, FLOOD);
    const emitting = (async () => {
      for (let i = 0; i < ELEMENTS; i++) await source.emit(i);
    })();
    await waitFor(() => recorded.some((message) => message.subject === resultSubject), 10_000, 'a first genuine result');
    const seqs = Array.from({ length: ELEMENTS }, (_, i) => i);
    forgeResults(attacker, resultSubject, seqs, implausibleForgeries);
    forgeHeartbeats(attacker, subjects, 2_000);
    replay(attacker, recorded.filter((message) => message.subject !== resultSubject));
    await Promise.all([emitting, flooding]);
    expect(await withinBound(source.drain(), LEASE)).toBe(true);

    expect(errors).toEqual([]);
    expect(out).toEqual(seqs);
    expect(client.workers().length).toBeLessThanOrEqual(MAX_KNOWN_WORKERS);
    expect(client.workers().map((info) => info.id)).toEqual(expect.arrayContaining(workers.map(({ id }) => id)));
    expect(Math.max(...beats.filter((beat) => workers.some(({ id }) => id === beat.id)).map((beat) => beat.inFlight))).toBeLessThanOrEqual((1 + MAX_PREFETCH_FACTOR) * CONCURRENCY); // its room: concurrency plus prefetch (adaptive, at most 8 × the concurrency)
    for (const [i, { child }] of workers.entries()) {
      expect(child.exitCode).toBeNull();
      expect((await residentMiB(child.pid as number)) - rssBefore[i]).toBeLessThan(64);
    }
    const refusals = errorLog.mock.calls.map((args) => args.join(' ')).flatMap((line) => /^(rivulet \w+)(?: \S+)?: refused an? ([\w-]+) message/.exec(line)?.slice(1, 3).join(' ') ?? []);
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals).toEqual([...new Set(refusals)]);
  }, TEST_TIMEOUT);

  test('what remains possible: a drain request stops a worker (the pipeline goes on with the other), and a result with the right attempt is believed', async () => {
    const [victim, survivor] = workers;
    forgeDrain(attacker, subjects, victim.id);
    expect(await exited(victim.child)).toBe(0);
    const { source, out, resultSubject } = pipeline();
    void source.emit(7);
    await waitFor(() => client.workers().some((info) => info.id === survivor.id && info.inFlight > 0), 5000, 'the task accepted');
    attacker.publish(resultSubject, codec.encode({ v: 1, worker: 'ghost', results: [{ seq: 0, attempt: 0, ok: true, values: ['PWNED'] }] }));
    await withinBound(source.drain(), LEASE);
    expect(out).toEqual(['PWNED']);
  }, TEST_TIMEOUT);
});
