/**
 * Bad input on the wire to a live `rivulet worker` process: a plain nats.js connection publishes
 * hand-made hostile messages and 10,000 fast-check generated and mutated ones (fixed seed, some
 * with reply subjects) straight onto the worker's task subject, and garbage onto a running
 * pipeline's result subject. The codec and `readTaskBatch` are the oracle for what each message
 * should become: refused by the bus (bytes), refused by the worker (protocol) or run.
 *
 * Checked: the worker stays alive, answers what asked for a reply, and then serves a normal
 * pipeline correctly; refusals are answered, counted by kind in the heartbeat and logged once per
 * kind; input that once killed a worker (a bad reply subject, an unencodable result) no longer does.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { Client, Stream } from '../../src';
import type { RejectionKind } from '../../src/transport/bus';
import { Codec, CODEC_VERSION, DecodeError, DEFAULT_MAX_PAYLOAD } from '../../src/transport/codec';
import { REJECTED_HEADER } from '../../src/transport/nats-bus';
import { PROTOCOL_VERSION, readTaskBatch, type ResultBatch, type StepSpec, type TaskAck, type TaskBatch } from '../../src/distributed/protocol';
import { checkPublishSubject } from '../../src/transport/subject-pattern';
import { Subjects } from '../../src/distributed/subjects';
import { byteMutation } from '../support/byte-mutations';
import { NatsServer } from '../support/nats-server';
import { natsServerConfigArgs } from '../support/nats-server-config';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess, workerReady } from '../support/worker-process';
import { inc } from './fixtures/tasks';
import { TASKS_MODULE, exited } from './support/deployments';

const SEED = 20_261_122;
const GENERATED_MESSAGES = 10_000;
const KINDS: readonly RejectionKind[] = ['malformed', 'oversized', 'too-deep', 'unknown-version'];
const PREFIX = `wfuzz${process.pid}`;
const REPLY_PREFIX = 'wfuzz-reply';
const RESULTS_PREFIX = 'wfuzz-results';
const HEARTBEAT_MS = 100;
const SETTLE_MS = 15_000;

/** The worker's bus uses the default limits: the oracle decodes with the same. */
const oracle = new Codec();

type Outcome =
  | { readonly level: 'bus' | 'protocol'; readonly kind: RejectionKind }
  | { readonly level: 'accepted'; readonly batch: TaskBatch };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function expectedOutcome(bytes: Uint8Array): Outcome {
  let value: unknown;
  try {
    value = oracle.decode(bytes);
  } catch (error) {
    return { level: 'bus', kind: (error as DecodeError).kind };
  }
  try {
    return { level: 'accepted', batch: readTaskBatch(value) };
  } catch {
    return { level: 'protocol', kind: isRecord(value) && value.v !== PROTOCOL_VERSION ? 'unknown-version' : 'malformed' };
  }
}

/** Tasks the fuzzed worker has (test/distributed/fixtures/tasks.ts registers them). */
const REGISTERED: ReadonlySet<string> = new Set(['inc', 'double', 'isEven']);

/** A batch the worker runs rather than refuses: it has every task of the chain. */
function runnable(batch: TaskBatch): boolean {
  return batch.chain.every((step) => step.task === undefined || REGISTERED.has(step.task));
}

/** Accepted batches the worker can answer: a literal reply subject (see the failing test below). */
function answerable(batch: TaskBatch): boolean {
  try {
    checkPublishSubject(batch.reply);
    return true;
  } catch {
    return false;
  }
}

// ---- generated messages ----

const stepSpec: fc.Arbitrary<StepSpec> = fc.record(
  {
    op: fc.constantFrom('map', 'filter', 'starmap', 'pluck', 'flatten', 'accumulate', 'reduce'),
    task: fc.constantFrom('inc', 'double', 'isEven', 'no-such-task', '', '__proto__', 'constructor'),
    args: fc.array(fc.integer(), { maxLength: 2 }),
    key: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.string({ maxLength: 3 })),
  },
  { requiredKeys: ['op'] },
) as fc.Arbitrary<StepSpec>;

const wireTask = fc.record(
  {
    seq: fc.oneof(fc.nat(), fc.integer(), fc.double()),
    attempt: fc.oneof(fc.nat({ max: 3 }), fc.constant(-1)),
    value: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)),
    states: fc.array(fc.record({ hasState: fc.boolean(), acc: fc.integer() }), { maxLength: 2 }),
  },
  { requiredKeys: ['seq', 'attempt', 'value'] },
);

const taskBatch = fc.record({
  v: fc.oneof({ weight: 8, arbitrary: fc.constant(PROTOCOL_VERSION) }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.string({ maxLength: 2 }), fc.constant(null)) }),
  pipeline: fc.oneof(fc.constant('p1'), fc.string({ maxLength: 6 }), fc.integer()),
  reply: fc.oneof({ weight: 6, arbitrary: fc.nat({ max: 99 }).map((n) => `${RESULTS_PREFIX}.${n}`) }, { weight: 1, arbitrary: fc.constant(42) }),
  chain: fc.array(stepSpec, { maxLength: 3 }),
  tasks: fc.array(wireTask, { maxLength: 4 }),
});

const generatedBytes = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => oracle.encode(value)) },
  { weight: 3, arbitrary: taskBatch.map((batch) => oracle.encode(batch)) },
  { weight: 3, arbitrary: fc.tuple(taskBatch, byteMutation).map(([batch, mutate]) => mutate(oracle.encode(batch))) },
);

interface WireCase {
  readonly bytes: Uint8Array;
  readonly reply: boolean;
}

const wireCase: fc.Arbitrary<WireCase> = fc.record({ bytes: generatedBytes, reply: fc.integer({ min: 0, max: 3 }).map((n) => n === 0) });

// ---- hand-made messages ----

function envelope(...body: number[]): Uint8Array {
  return Uint8Array.from([0x92, CODEC_VERSION, ...body]);
}

function batchOf(overrides: Partial<Record<keyof TaskBatch, unknown>>): TaskBatch {
  return { v: PROTOCOL_VERSION, pipeline: 'hand', reply: `${RESULTS_PREFIX}.hand`, chain: [{ op: 'map', task: 'inc' }], tasks: [{ seq: 0, attempt: 0, value: 1 }], ...overrides } as TaskBatch;
}

function nested(depth: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

const validBatch = oracle.encode(batchOf({}));

const HOSTILE: ReadonlyArray<readonly [string, Uint8Array]> = [
  ['empty bytes', new Uint8Array(0)],
  ['random text', new TextEncoder().encode('{"v":1,"tasks":[]}')],
  ['truncated msgpack', validBatch.subarray(0, validBatch.length - 5)],
  ['truncated after the envelope head', validBatch.subarray(0, 2)],
  ['unknown codec version', Uint8Array.from([0x92, CODEC_VERSION + 1, 0xc0])],
  ['unknown protocol version', oracle.encode(batchOf({ v: PROTOCOL_VERSION + 1 }))],
  ['no protocol version', oracle.encode(batchOf({ v: undefined }))],
  ['a task batch that is an array', oracle.encode([batchOf({})])],
  ['a bad chain', oracle.encode(batchOf({ chain: [{ op: 'eval', task: 'inc' }] }))],
  ['bad tasks', oracle.encode(batchOf({ tasks: [{ seq: 'zero', attempt: 0, value: 1 }] }))],
  ['oversized', new Uint8Array(DEFAULT_MAX_PAYLOAD + 1)],
  ['deeply nested (10,000 levels)', envelope(...new Array<number>(10_000).fill(0x91), 0xc0)],
  ['nested 70 levels, past the 64-level limit', envelope(...new Array<number>(70).fill(0x91), 0xc0)],
  ['prototype pollution keys', oracle.encode(JSON.parse('{"v":1,"__proto__":{"polluted":true},"pipeline":"p","reply":"r","chain":[],"tasks":[]}'))],
];

// ---- the worker and its observers ----

describe('a live rivulet worker under bad input (real nats-server and worker process)', () => {
  let tempDir: string;
  let server: NatsServer;
  let worker: ChildProcess;
  let workerId: string;
  let raw: NatsConnection;
  let subjects: Subjects;
  let stderr = '';
  const replies = new Map<number, Msg>();
  const results = new Map<string, ResultBatch[]>();
  const heartbeats: Array<{ at: number; beat: Record<string, unknown> }> = [];
  /** Workers of their own (other prefixes) for the inputs that crash a worker today. */
  let victims: Array<[ChildProcess, string]> = [];
  let cases: WireCase[] = [];
  let outcomes: Outcome[] = [];

  beforeAll(async () => {
    tempDir = mkdtempSync(join(tmpdir(), 'rivulet-worker-fuzz-'));
    // Above the worker's 8 MiB limit, so an oversized message reaches the worker's own check.
    server = await NatsServer.start({ args: natsServerConfigArgs(join(tempDir, 'server.conf'), { max_payload: DEFAULT_MAX_PAYLOAD + 1024 * 1024 }) });
    // Room for every task of a batch: a worker refuses (never queues) tasks beyond its room.
    worker = startWorkerProcess(server.url, TASKS_MODULE, ['--prefix', PREFIX, '--heartbeat', String(HEARTBEAT_MS), '--concurrency', '1000']);
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const victimProcesses = [0, 1].map((n) => startWorkerProcess(server.url, TASKS_MODULE, ['--prefix', `${PREFIX}v${n}`]));
    [workerId, ...victims] = await Promise.all([
      workerReady(worker, 30_000),
      ...victimProcesses.map(async (victim): Promise<[ChildProcess, string]> => [victim, await workerReady(victim, 30_000)]),
    ]);
    subjects = new Subjects(PREFIX);
    raw = await connect({ servers: server.url });
    raw.subscribe(`${REPLY_PREFIX}.>`, {
      callback: (error, msg) => {
        if (error === null) replies.set(Number(msg.subject.split('.').pop()), msg);
      },
    });
    raw.subscribe(`${RESULTS_PREFIX}.>`, {
      callback: (error, msg) => {
        if (error !== null) return;
        const list = results.get(msg.subject) ?? [];
        list.push(oracle.decode(msg.data) as ResultBatch);
        results.set(msg.subject, list);
      },
    });
    raw.subscribe(subjects.heartbeat, {
      callback: (error, msg) => {
        if (error === null) heartbeats.push({ at: Date.now(), beat: oracle.decode(msg.data) as Record<string, unknown> });
      },
    });
    await raw.flush();

    const generated = fc.sample(wireCase, { seed: SEED, numRuns: GENERATED_MESSAGES });
    const hostile = HOSTILE.flatMap(([, bytes]) => [{ bytes, reply: false }, { bytes, reply: true }]);
    cases = [...hostile, ...generated].filter((wire) => {
      const outcome = expectedOutcome(wire.bytes);
      return outcome.level !== 'accepted' || answerable(outcome.batch);
    });
    outcomes = cases.map((wire) => expectedOutcome(wire.bytes));
    // The worker is a member of the pool's queue group for one message at a time and says so with a
    // capacity credit each time it joins again: each case goes out once the previous one was taken.
    const joined = membershipWatch(raw, subjects.capacity);
    for (const [i, wire] of cases.entries()) {
      const next = joined();
      raw.publish(subjects.tasks, wire.bytes, wire.reply ? { reply: `${REPLY_PREFIX}.${i}` } : undefined);
      await next;
    }
    const next = joined();
    raw.publish(subjects.tasks, oracle.encode(batchOf({ reply: `${RESULTS_PREFIX}.probe`, tasks: [{ seq: 0, attempt: 0, value: 41 }] })));
    await next;
    await waitFor(() => results.has(`${RESULTS_PREFIX}.probe`), SETTLE_MS, 'the probe batch sent after the fuzz to be answered');
  }, 60_000);

  afterAll(async () => {
    await raw?.close();
    const children = [worker, ...victims.map(([victim]) => victim)].filter((child) => child !== undefined);
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await server?.stop();
    rmSync(tempDir, { recursive: true, force: true });
  });

  const busRejections = (): Array<{ index: number; kind: RejectionKind }> =>
    outcomes.flatMap((outcome, index) => (outcome.level === 'bus' ? [{ index, kind: outcome.kind }] : []));
  const protocolRejections = (): Array<{ index: number; kind: RejectionKind }> =>
    outcomes.flatMap((outcome, index) => (outcome.level === 'protocol' ? [{ index, kind: outcome.kind }] : []));

  test(`the fuzz covers every kind of refusal and runs batches (${GENERATED_MESSAGES} generated messages plus hand-made ones)`, () => {
    expect(cases.length).toBeGreaterThan(GENERATED_MESSAGES * 0.9);
    for (const kind of KINDS) expect(busRejections().some((rejection) => rejection.kind === kind)).toBe(true);
    for (const kind of ['malformed', 'unknown-version'] as const) expect(protocolRejections().some((rejection) => rejection.kind === kind)).toBe(true);
    expect(outcomes.filter((outcome) => outcome.level === 'accepted').length).toBeGreaterThan(1000);
    expect(cases.filter((wire) => wire.reply).length).toBeGreaterThan(2000);
  });

  test('the worker process stays alive and keeps heartbeating', async () => {
    expect(worker.exitCode).toBeNull();
    expect(worker.signalCode).toBeNull();
    const since = Date.now();
    await waitFor(() => heartbeats.some(({ at, beat }) => at > since && beat.id === workerId && beat.phase === 'ready'), 5000, 'a heartbeat after the fuzz');
  });

  test('bytes the worker\'s bus refuses are answered with the reason when they carry a reply subject', () => {
    const asked = busRejections().filter(({ index }) => cases[index].reply);
    expect(asked.length).toBeGreaterThan(500);
    for (const { index, kind } of asked) expect(replies.get(index)?.headers?.get(REJECTED_HEADER)).toMatch(new RegExp(`^${kind}: `));
  });

  test('accepted batches are run: every task yields one result on the batch\'s reply subject; a batch with a task the worker lacks is refused naming it', () => {
    const expected = new Map<string, number>();
    for (const outcome of outcomes) {
      // A mutated reply subject sends results where this test does not listen.
      if (outcome.level === 'accepted' && runnable(outcome.batch) && outcome.batch.reply.startsWith(`${RESULTS_PREFIX}.`)) {
        expected.set(outcome.batch.reply, (expected.get(outcome.batch.reply) ?? 0) + outcome.batch.tasks.length);
      }
    }
    for (const [reply, count] of expected) {
      const received = (results.get(reply) ?? []).flatMap((batch) => batch.results);
      expect({ reply, results: received.length }).toEqual({ reply, results: count });
    }
    const refusals = cases.flatMap((wire, index) => {
      const outcome = outcomes[index];
      if (!wire.reply || outcome.level !== 'accepted' || runnable(outcome.batch) || outcome.batch.tasks.length === 0) return [];
      return [{ batch: outcome.batch, ack: oracle.decode(replies.get(index)?.data ?? new Uint8Array()) as TaskAck }];
    });
    expect(refusals.length).toBeGreaterThan(50);
    for (const { batch, ack } of refusals) expect(ack).toMatchObject({ refused: batch.tasks.map((task) => task.seq), reason: 'missing-task' });
    expect(refusals.some(({ ack }) => /no task 'no-such-task'/.test(ack.detail ?? ''))).toBe(true);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  test('afterwards a normal pipeline through the worker is served correctly, all results in order', async () => {
    const client = new Client({ servers: server.url, prefix: PREFIX });
    try {
      await client.whenReady();
      await waitFor(() => client.workers().some((info) => info.id === workerId), 5000, 'the fuzzed worker');
      const source = new Stream<number>();
      const out = source.scatter({ client }).map(inc).buffer(8).gather().sinkToList();
      for (let i = 0; i < 200; i++) await source.emit(i);
      await source.drain();
      expect(out).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    } finally {
      await client.close();
    }
  }, 20_000);

  test('an element too deeply nested to encode fails its own emit on the client; the elements after it flow', async () => {
    const client = new Client({ servers: server.url, prefix: PREFIX });
    try {
      await client.whenReady();
      await waitFor(() => client.workers().some((info) => info.id === workerId), 5000, 'the fuzzed worker');
      const source = new Stream<[unknown]>();
      const out = source.scatter({ client }).pluck(0).gather().sinkToList();
      await source.emit([1]);
      await expect(source.emit([nested(100)])).rejects.toThrow(/seq 1/);
      await source.emit([3]);
      await source.drain();
      expect(out).toEqual([1, 3]);
    } finally {
      await client.close();
    }
  }, 20_000);

  test('garbage and forged batches on a running pipeline\'s result subject leave its results exact and in order', async () => {
    const client = new Client({ servers: server.url, prefix: PREFIX });
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await client.whenReady();
      await waitFor(() => client.workers().length === 1, 5000, 'the worker');
      const resultSubjects: string[] = [];
      const spy = raw.subscribe(`${PREFIX}.results.>`, {
        callback: (error, msg) => {
          if (error === null) resultSubjects.push(msg.subject);
        },
      });
      await raw.flush();
      const source = new Stream<number>();
      const out = source.scatter({ client }).map(inc).buffer(8).gather().sinkToList();
      await source.emit(0);
      await waitFor(() => resultSubjects.length > 0, 5000, 'the first result');
      spy.unsubscribe();
      const forged = fc.sample(
        fc.record({ v: fc.constant(PROTOCOL_VERSION), worker: fc.string(), results: fc.array(fc.record({ seq: fc.integer({ min: 1_000_000 }), attempt: fc.nat(), ok: fc.constant(true), values: fc.array(fc.integer()) })) }),
        { seed: SEED, numRuns: 500 },
      ).map((batch) => oracle.encode(batch));
      const garbage = [...fc.sample(generatedBytes, { seed: SEED + 1, numRuns: 1500 }), ...forged];
      for (let i = 1; i < 200; i++) {
        await source.emit(i);
        for (const bytes of garbage.slice(i * 10, i * 10 + 10)) raw.publish(resultSubjects[0], bytes);
      }
      await source.drain();
      expect(out).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      const rejected = client.taskBus!.stats().rejected;
      expect(rejected.malformed).toBeGreaterThan(0);
    } finally {
      logged.mockRestore();
      await client.close();
    }
  }, 20_000);

  // ---- what the worker does not do yet (src/distributed/worker.ts, owned by the distributed side) ----

  test('task messages the worker refuses (protocol level) are answered with the reason when they carry a reply subject', () => {
    const asked = protocolRejections().filter(({ index }) => cases[index].reply);
    expect(asked.length).toBeGreaterThan(100);
    for (const { index, kind } of asked) expect(replies.get(index)?.headers?.get(REJECTED_HEADER)).toMatch(new RegExp(`^${kind}: `));
  });

  test('the heartbeat counts refused messages by kind (bus and protocol level together)', () => {
    const expected = Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Record<RejectionKind, number>;
    for (const { kind } of [...busRejections(), ...protocolRejections()]) expected[kind]++;
    const last = heartbeats.filter(({ beat }) => beat.id === workerId).pop()?.beat;
    expect(last?.rejected).toEqual(expected);
  });

  test('the worker logs refusals once per kind, not once per message', () => {
    const lines = stderr.split('\n').filter((line) => line.trim() !== '');
    // One line per refusal kind, and one for tasks it does not have.
    expect(lines.length).toBeLessThanOrEqual(KINDS.length + 1);
    expect(lines.filter((line) => line.includes('refuses such tasks'))).toHaveLength(1);
    for (const kind of KINDS) expect(lines.filter((line) => line.includes(kind)).length).toBeLessThanOrEqual(1);
  });

  // These two once crashed the worker process (a throw in its result flush): each runs against a
  // worker of its own.
  test('a batch whose reply is not a literal subject is refused, and the worker stays alive', async () => {
    const [victim, id] = victims[0];
    const victimSubjects = new Subjects(`${PREFIX}v0`);
    const joined = membershipWatch(raw, victimSubjects.capacity);
    const next = joined();
    raw.publish(victimSubjects.tasks, oracle.encode(batchOf({ reply: 'not a subject' })));
    await next;
    raw.publish(victimSubjects.tasks, oracle.encode(batchOf({ reply: `${RESULTS_PREFIX}.after-bad-reply` })));
    await waitFor(() => results.has(`${RESULTS_PREFIX}.after-bad-reply`) || victim.exitCode !== null, 3000, 'the batch after the bad reply');
    expect(victim.exitCode).toBeNull();
  });

  test('a result nested too deep to encode fails that task, and the worker stays alive', async () => {
    const [victim, id] = victims[1];
    const victimSubjects = new Subjects(`${PREFIX}v1`);
    const joined = membershipWatch(raw, victimSubjects.capacity);
    const next = joined();
    raw.publish(victimSubjects.tasks, oracle.encode(batchOf({ chain: [], tasks: [{ seq: 0, attempt: 0, value: nested(61) }], reply: `${RESULTS_PREFIX}.deep` })));
    await next;
    raw.publish(victimSubjects.tasks, oracle.encode(batchOf({ reply: `${RESULTS_PREFIX}.after-deep` })));
    await waitFor(() => results.has(`${RESULTS_PREFIX}.after-deep`) || victim.exitCode !== null, 3000, 'the batch after the deep result');
    expect(victim.exitCode).toBeNull();
    expect(results.get(`${RESULTS_PREFIX}.deep`)?.[0].results[0].ok).toBe(false);
  });
});

/** Returns a function giving a promise for the next capacity credit on `subject` (or a bounded wait without one). */
function membershipWatch(connection: NatsConnection, subject: string): () => Promise<void> {
  let waiter: (() => void) | undefined;
  connection.subscribe(subject, { callback: () => waiter?.() });
  return () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      waiter = () => {
        clearTimeout(timer);
        waiter = undefined;
        resolve();
      };
    });
}
