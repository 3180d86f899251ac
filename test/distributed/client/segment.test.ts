/**
 * Segment on an in-process bus, with a worker the test drives by hand (it joins the queue group
 * for one message, acknowledges and answers when told) and a clock that moves only when the test
 * advances it: order, duplicates, parking, leases, backoff, closing and forged results, all
 * without a real worker or a real timer.
 */
import { type SegmentOptions, type SegmentOutput, Segment } from '../../../src/distributed/client/segment';
import { WorkerDirectory } from '../../../src/distributed/client/worker-directory';
import { CompiledChain } from '../../../src/distributed/compiled-chain';
import { PROTOCOL_VERSION, type CapacityCredit, type Heartbeat, type RefusalReason, type ResultBatch, type TaskAck, type TaskBatch, type WireResult } from '../../../src/distributed/protocol';
import { Subjects } from '../../../src/distributed/subjects';
import { NO_POLICY, type ResolvedPolicy } from '../../../src/distributed/task-policy';
import { ClientClosingError } from '../../../src/errors';
import type { Emitted } from '../../../src/stream';
import { InProcessBus } from '../../../src/transport/in-process-bus';
import type { Subscription } from '../../../src/transport/bus';
import { isPending } from '../../support/is-pending';
import { ManualScheduler } from '../../support/manual-scheduler';

const LEASE = 10_000;
const ACCEPT_TIMEOUT = 2_000;
const SWEEP = 250;

/** A batch as the worker got it, with the reply inbox its acknowledgement goes to. */
interface Delivery {
  readonly batch: TaskBatch;
  readonly reply: string;
}

/** A pool member the test drives: it holds a queue-group membership for one message at a time. */
class HandDrivenWorker {
  readonly deliveries: Delivery[] = [];
  private membership: Subscription | undefined = undefined;

  constructor(
    private readonly bus: InProcessBus,
    private readonly subjects: Subjects,
    readonly id: string,
  ) {}

  /** Joins the queue group for one message, as a worker with room does. */
  join(): void {
    this.membership = this.bus.subscribe(this.subjects.tasks, (message) => this.deliveries.push({ batch: message.data as TaskBatch, reply: message.reply as string }), {
      queue: this.subjects.pool,
      max: 1,
    });
  }

  leave(): void {
    this.membership?.unsubscribe();
  }

  /** Takes the last batch whole and joins again, saying so with a capacity credit. */
  takeAndJoinAgain(): void {
    this.ack();
    this.join();
    this.credit();
  }

  /** The worker's capacity credit: it has room again (and, when it says so, a new prefetch). */
  credit(free = 1, prefetch?: number): void {
    this.bus.publish(this.subjects.capacity, { v: PROTOCOL_VERSION, worker: this.id, free, ...(prefetch === undefined ? {} : { prefetch }) } satisfies CapacityCredit);
  }

  /** `room`: free room, prefetch and the segments it served last interval. */
  heartbeat(interval: number, room: Pick<Heartbeat, 'free' | 'prefetch' | 'pipelines' | 'segments'> = { free: 1 }): void {
    const beat: Heartbeat = { v: PROTOCOL_VERSION, id: this.id, pool: this.subjects.pool, capacity: 1, inFlight: 0, done: 0, failed: 0, phase: 'ready', interval, tasks: { inc: 'v1' }, ...room };
    this.bus.publish(this.subjects.heartbeat, beat);
  }

  get last(): Delivery {
    return this.deliveries[this.deliveries.length - 1];
  }

  /** The (seq, attempt) pairs of a delivery. */
  sent(delivery: Delivery = this.last): Array<[number, number]> {
    return delivery.batch.tasks.map((task) => [task.seq, task.attempt]);
  }

  ack(delivery: Delivery = this.last, refused: number[] = [], reason?: RefusalReason): void {
    const ack: TaskAck = { v: PROTOCOL_VERSION, worker: this.id, refused, ...(reason === undefined ? {} : { reason }) };
    this.bus.publish(delivery.reply, ack);
  }

  results(delivery: Delivery, results: WireResult[]): void {
    this.bus.publish(delivery.batch.reply, { v: PROTOCOL_VERSION, worker: this.id, results } satisfies ResultBatch);
  }

  succeed(seq: number, attempt: number, values: unknown[] = [`r${seq}`], delivery: Delivery = this.last): void {
    this.results(delivery, [{ seq, attempt, ok: true, values }]);
  }

  fail(seq: number, attempt: number, delivery: Delivery = this.last): void {
    this.results(delivery, [{ seq, attempt, ok: false, task: 'inc', error: { name: 'Error', message: `attempt ${attempt} failed` } }]);
  }
}

/** The gather node side: what reached downstream and what went to `errors`. */
class RecordingOutput implements SegmentOutput {
  readonly values: unknown[] = [];
  readonly errors: Array<{ element: unknown; error: unknown }> = [];

  emit(value: unknown): Emitted {
    this.values.push(value);
    return undefined;
  }

  reportError(element: unknown, error: unknown): void {
    this.errors.push({ element, error });
  }

  segmentHolds(): void {}

  segmentReleased(): void {}

  finished(): Promise<void> {
    return Promise.resolve();
  }

  toString(): string {
    return '<gather>';
  }
}

/**
 * Lets the segment act on what just happened: its reactions to settled requests run as microtasks
 * and may schedule a send for the end of the turn (`setImmediate`), which the second turn covers.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('Segment (in-process bus, hand-driven worker, virtual time)', () => {
  let scheduler: ManualScheduler;
  let bus: InProcessBus;
  let controlBus: InProcessBus;
  let directory: WorkerDirectory;
  let output: RecordingOutput;
  let worker: HandDrivenWorker;
  const segments: Segment[] = [];
  const subjects = new Subjects('unit', 'pool');

  function chain(policy: ResolvedPolicy = NO_POLICY): CompiledChain {
    return new CompiledChain([{ op: 'map', task: 'inc', version: 'v1' }], [], policy);
  }

  function segment(options: Partial<SegmentOptions> = {}): Segment {
    const taskBus = bus;
    const opened = new Segment(
      { id: `s${segments.length}`, bus: () => taskBus, controlBus, subjects, directory, credits: 4, buffered: true, ordered: true, lease: LEASE, acceptTimeout: ACCEPT_TIMEOUT, scheduler, ...options },
      output,
    );
    opened.attach(bus);
    segments.push(opened);
    return opened;
  }

  /** A segment whose first element went out to `worker`, a member of the queue group. */
  async function firstSent(): Promise<Segment> {
    const dispatch = segment();
    worker.join();
    dispatch.submit(0, chain());
    await settle();
    return dispatch;
  }

  /** `other` heard from, `worker` too unless `workerHeard` is false; element 0 took 20 ms on `worker`, which joined the queue group again. */
  async function oneTaskTook20ms(workerHeard = true): Promise<{ dispatch: Segment; other: HandDrivenWorker }> {
    const other = new HandDrivenWorker(bus, subjects, 'w2');
    for (const member of workerHeard ? [worker, other] : [other]) member.heartbeat(1000);
    const dispatch = await firstSent();
    worker.ack();
    scheduler.advance(20);
    worker.succeed(0, 0);
    worker.join();
    return { dispatch, other };
  }

  beforeEach(() => {
    scheduler = new ManualScheduler();
    bus = new InProcessBus({ scheduler });
    controlBus = new InProcessBus();
    directory = new WorkerDirectory(subjects, scheduler);
    directory.attach(bus);
    output = new RecordingOutput();
    worker = new HandDrivenWorker(bus, subjects, 'w1');
  });

  afterEach(async () => {
    for (const opened of segments.splice(0)) {
      opened.abandon(new Error('the test ended'));
      opened.close();
    }
    directory.close();
    await bus.close();
    await controlBus.close();
  });

  test('a turn of elements travels as one batch; results arriving out of order are delivered in emission order', async () => {
    const dispatch = segment();
    worker.join();
    const chained = chain();
    expect([0, 1, 2].map((i) => dispatch.submit(i, chained))).toEqual([undefined, undefined, undefined]);
    await settle();
    expect(worker.deliveries).toHaveLength(1);
    expect(worker.sent()).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
    ]);
    worker.ack();
    await settle();
    worker.succeed(2, 0);
    expect(output.values).toEqual([]);
    worker.succeed(0, 0);
    expect(output.values).toEqual(['r0']);
    worker.succeed(1, 0);
    expect(output.values).toEqual(['r0', 'r1', 'r2']);
    expect(dispatch.pendingElements).toBe(0);
  });

  test('buffer(n): the first n elements return at once, the next waits until a delivered result returned its credit', async () => {
    const dispatch = segment({ credits: 2 });
    worker.join();
    const chained = chain();
    expect(dispatch.submit(0, chained)).toBeUndefined();
    expect(dispatch.submit(1, chained)).toBeUndefined();
    const third = dispatch.submit(2, chained) as Promise<void>;
    expect(third).toBeInstanceOf(Promise);
    await settle();
    worker.ack();
    await settle();
    expect(await isPending(third)).toBe(true);
    worker.succeed(0, 0);
    await expect(third).resolves.toBeUndefined();
  });

  test('a result of an attempt that already failed, and a second result of a delivered element, are dropped as duplicates', async () => {
    const dispatch = segment();
    worker.join();
    dispatch.submit(0, chain({ retries: 1, backoff: 0, timeout: undefined }));
    await settle();
    const first = worker.last;
    worker.ack(first);
    worker.join();
    worker.fail(0, 0, first);
    scheduler.advance(0);
    await settle();
    expect(worker.sent()).toEqual([[0, 1]]);
    worker.ack();
    worker.succeed(0, 0, ['stale'], first);
    expect(dispatch.duplicates).toBe(1);
    expect(output.values).toEqual([]);
    worker.succeed(0, 1);
    worker.succeed(0, 1);
    expect(output.values).toEqual(['r0']);
    expect(dispatch.duplicates).toBe(2);
  });

  test('a failed attempt is sent again only once its backoff ran out, twice as long for the second retry (virtual time)', async () => {
    const dispatch = segment();
    worker.join();
    dispatch.submit(0, chain({ retries: 2, backoff: 1000, timeout: undefined }));
    await settle();
    const failThenResendAfter = async (attempt: number, backoff: number): Promise<void> => {
      worker.ack();
      worker.join();
      worker.fail(0, attempt);
      scheduler.advance(backoff - 1);
      await settle();
      expect(worker.deliveries).toHaveLength(attempt + 1);
      scheduler.advance(1);
      await settle();
      expect(worker.sent()).toEqual([[0, attempt + 1]]);
    };
    await failThenResendAfter(0, 1000);
    await failThenResendAfter(1, 2000);
    worker.ack();
    worker.succeed(0, 2);
    expect(output.values).toEqual(['r0']);
  });

  test('tasks a busy worker refused go to the queue group again at once, where another member takes them without waiting for a credit', async () => {
    const dispatch = segment();
    worker.join();
    const chained = chain();
    dispatch.submit(0, chained);
    dispatch.submit(1, chained);
    await settle();
    const other = new HandDrivenWorker(bus, subjects, 'w2');
    other.join();
    worker.ack(worker.last, [1], 'busy');
    await settle();
    expect(other.sent()).toEqual([[1, 1]]);
    expect(dispatch.resent).toBe(1);
  });

  test('refused tasks with no member left wait for a capacity credit, then go out again', async () => {
    const dispatch = await firstSent();
    worker.ack(worker.last, [0], 'busy');
    await settle();
    worker.join();
    await settle();
    expect(worker.deliveries).toHaveLength(1);
    expect(dispatch.scatterState).toBe('waitingForWorkers');
    worker.credit();
    await settle();
    expect(worker.sent()).toEqual([[0, 2]]);
  });

  test('a capacity credit that arrived while a batch was out is not lost when the batch comes back refused: it goes out again at once', async () => {
    await firstSent();
    const other = new HandDrivenWorker(bus, subjects, 'w2');
    other.join();
    other.credit();
    await settle();
    worker.ack(worker.last, [0], 'draining');
    await settle();
    expect(other.sent()).toEqual([[0, 1]]);
  });

  test('no batch is larger than the room the workers announced; the rest goes out as capacity credits arrive', async () => {
    const dispatch = segment();
    worker.heartbeat(1000, { free: 1, prefetch: 2 });
    worker.join();
    const chained = chain();
    for (let i = 0; i < 3; i++) dispatch.submit(i, chained);
    await settle();
    expect(worker.deliveries).toHaveLength(1);
    expect(worker.sent()).toEqual([[0, 0]]);
    worker.takeAndJoinAgain();
    await settle();
    expect(worker.sent()).toEqual([[1, 0]]);
    expect(dispatch.resent).toBe(0);
  });

  test('a capacity credit with a larger prefetch (the worker adapted it to short tasks) widens the segment\'s share at once, not at the next heartbeat', async () => {
    const dispatch = segment();
    worker.heartbeat(60_000, { free: 1, prefetch: 0 });
    worker.join();
    const chained = chain();
    for (let i = 0; i < 4; i++) dispatch.submit(i, chained);
    await settle();
    expect(worker.sent()).toEqual([[0, 0]]);
    worker.ack();
    worker.join();
    worker.credit(3, 3);
    await settle();
    expect(worker.sent()).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
  });

  test('with no member in the queue group (no responders) tasks wait for a capacity credit, not for a member alone', async () => {
    const dispatch = segment();
    dispatch.submit(0, chain());
    await settle();
    expect(dispatch.scatterState).toBe('waitingForWorkers');
    worker.join();
    await settle();
    expect(worker.deliveries).toHaveLength(0);
    worker.credit();
    await settle();
    expect(worker.sent()).toEqual([[0, 1]]);
    worker.ack();
    worker.succeed(0, 1);
    expect(output.values).toEqual(['r0']);
  });

  test('the capacity of a worker that refused the chain for a missing task does not release it', async () => {
    const dispatch = segment();
    const incapable = new HandDrivenWorker(bus, subjects, 'w-old');
    incapable.join();
    dispatch.submit(0, chain());
    await settle();
    incapable.ack(incapable.last, [0], 'missing-task');
    await settle();
    incapable.join();
    incapable.credit();
    await settle();
    expect(incapable.deliveries).toHaveLength(1);
    incapable.leave();
    worker.join();
    worker.credit();
    await settle();
    expect(worker.sent()).toEqual([[0, 1]]);
  });

  test('an accepted task whose lease ran out is sent again; its first result still counts, the second is a duplicate (virtual time)', async () => {
    const dispatch = segment();
    worker.join();
    dispatch.submit(0, chain());
    await settle();
    const first = worker.last;
    worker.ack(first);
    worker.join();
    scheduler.advance(LEASE);
    await settle();
    expect(worker.deliveries).toHaveLength(1);
    scheduler.advance(SWEEP);
    await settle();
    expect(worker.sent()).toEqual([[0, 1]]);
    expect(dispatch.resent).toBe(1);
    worker.ack();
    worker.succeed(0, 0, ['r0'], first);
    worker.succeed(0, 1);
    expect(output.values).toEqual(['r0']);
    expect(dispatch.duplicates).toBe(1);
  });

  test("with two segments on the pool (workers' heartbeats say so), a segment holds no more than half the pool's room", async () => {
    const dispatch = segment();
    const other = new HandDrivenWorker(bus, subjects, 'w2');
    for (const member of [worker, other]) {
      member.heartbeat(1000, { free: 1, prefetch: 1, pipelines: 2 });
      member.join();
    }
    const chained = chain();
    for (let i = 0; i < 4; i++) dispatch.submit(i, chained);
    await settle();
    expect([...worker.sent(), ...other.sent()]).toEqual([
      [0, 0],
      [1, 0],
    ]);
    worker.ack();
    await settle();
    worker.succeed(0, 0);
    worker.join();
    worker.credit();
    await settle();
    expect(worker.sent()).toEqual([[2, 0]]);
  });

  test("a segment of this client that holds nothing does not count against the share: a finished pipeline leaves the pool's whole room to the next", async () => {
    const finished = segment();
    const dispatch = segment();
    const other = new HandDrivenWorker(bus, subjects, 'w2');
    for (const member of [worker, other]) {
      member.heartbeat(1000, { free: 2, prefetch: 1, pipelines: 2, segments: [finished.id, dispatch.id] });
      member.join();
    }
    const chained = chain();
    for (let i = 0; i < 4; i++) dispatch.submit(i, chained);
    await settle();
    expect([...worker.deliveries, ...other.deliveries].flatMap((delivery) => delivery.batch.tasks.map((task) => task.seq)).sort()).toEqual([0, 1, 2, 3]);
  });

  /** Element 0 went out to `worker`, a member with room for two. */
  async function firstOfTwoSent(): Promise<{ dispatch: Segment; chained: CompiledChain }> {
    const dispatch = segment();
    worker.heartbeat(1000, { free: 2, prefetch: 1 });
    worker.join();
    const chained = chain();
    dispatch.submit(0, chained);
    await settle();
    return { dispatch, chained };
  }

  test('a batch sent and not answered yet counts against the room the pool announced before it: the next one waits for a capacity credit instead of finding no member', async () => {
    const { dispatch, chained } = await firstOfTwoSent();
    dispatch.submit(1, chained);
    await settle();
    expect(worker.deliveries).toHaveLength(1);
    worker.takeAndJoinAgain();
    await settle();
    expect(worker.sent()).toEqual([[1, 0]]);
    expect(dispatch.resent).toBe(0);
  });

  test('a capacity credit handled before the answer of the batch its worker took already counts that batch: the room is not reduced twice', async () => {
    const { dispatch, chained } = await firstOfTwoSent();
    worker.takeAndJoinAgain();
    await settle();
    dispatch.submit(1, chained);
    await settle();
    expect(worker.sent()).toEqual([[1, 0]]);
  });

  test('once acknowledgements came fast, a batch unacknowledged for 200 ms (not the whole acceptTimeout) is sent again (virtual time)', async () => {
    const dispatch = await firstSent();
    worker.ack();
    worker.succeed(0, 0);
    worker.join();
    dispatch.submit(1, chain());
    await settle();
    worker.join();
    scheduler.advance(199);
    await settle();
    expect(worker.sent()).toEqual([[1, 0]]);
    scheduler.advance(1);
    await settle();
    expect(worker.sent()).toEqual([[1, 1]]);
  });

  test.each([
    ['a known worker', true],
    ['a worker the directory never heard of (its first heartbeat came before the client)', false],
  ])('a task held far longer than tasks usually take gets its worker probed; %s whose connection is gone is lost at once (virtual time)', async (_worker, workerHeard) => {
    const { dispatch, other } = await oneTaskTook20ms(workerHeard);
    dispatch.submit(1, chain());
    await settle();
    worker.ack();
    await settle();
    worker.leave();
    other.join();
    scheduler.advance(SWEEP - 20);
    await settle();
    expect(other.sent()).toEqual([[1, 1]]);
    other.ack();
    other.succeed(1, 1);
    expect(output.values).toEqual(['r0', 'r1']);
  });

  test('a worker the directory never heard of that stops answering (a frozen process: still subscribed, silent) is lost after three unanswered pings; its task goes to another worker (virtual time)', async () => {
    const { dispatch, other } = await oneTaskTook20ms(false);
    dispatch.submit(1, chain());
    await settle();
    worker.ack();
    await settle();
    const pings = bus.subscribe(subjects.ping('w1'), () => undefined);
    other.join();
    for (let elapsed = 0; elapsed < 2_500; elapsed += SWEEP) {
      scheduler.advance(SWEEP);
      await settle();
    }
    expect(other.deliveries).toHaveLength(0); // two pings unanswered: not yet
    for (let elapsed = 0; elapsed < 2_000; elapsed += SWEEP) {
      scheduler.advance(SWEEP);
      await settle();
    }
    expect(other.sent()).toEqual([[1, 1]]);
    other.ack();
    other.succeed(1, 1);
    expect(output.values).toEqual(['r0', 'r1']);
    pings.unsubscribe();
  });

  test('while later results arrive, an overdue head of the line gets its worker probed at once, before the next sweep (virtual time)', async () => {
    const { dispatch, other } = await oneTaskTook20ms();
    worker.credit();
    dispatch.submit(1, chain());
    await settle();
    other.join();
    dispatch.submit(2, chain());
    await settle();
    worker.ack();
    other.ack();
    await settle();
    worker.leave();
    other.join();
    scheduler.advance(SWEEP - 100);
    other.succeed(2, 0, ['r2'], other.deliveries[0]);
    await settle();
    expect(other.sent()).toEqual([[1, 1]]);
    other.ack();
    other.succeed(1, 1);
    expect(output.values).toEqual(['r0', 'r1', 'r2']);
  });

  test('a batch no worker acknowledged within acceptTimeout counts as lost and is sent again (virtual time)', async () => {
    const dispatch = segment();
    worker.join();
    dispatch.submit(0, chain());
    await settle();
    worker.join();
    scheduler.advance(ACCEPT_TIMEOUT - 1);
    await settle();
    expect(worker.deliveries).toHaveLength(1);
    scheduler.advance(1);
    await settle();
    expect(worker.sent()).toEqual([[0, 1]]);
  });

  test('the accepted tasks of a worker found gone (late heartbeat, ping without responders) are sent again (virtual time)', async () => {
    const dispatch = segment();
    const interval = 100;
    worker.heartbeat(interval);
    const other = new HandDrivenWorker(bus, subjects, 'w2');
    other.heartbeat(1000);
    worker.join();
    dispatch.submit(0, chain());
    await settle();
    worker.ack();
    worker.leave();
    other.join();
    scheduler.advance(SWEEP);
    await settle();
    expect(other.sent()).toEqual([[0, 1]]);
    other.ack();
    other.succeed(0, 1);
    expect(output.values).toEqual(['r0']);
  });

  test('abandon() fails every pending element: a waiting emit rejects with the error, one that already returned reaches errors', async () => {
    const dispatch = segment({ credits: 1 });
    worker.join();
    const chained = chain();
    expect(dispatch.submit('sent', chained)).toBeUndefined();
    const waiting = dispatch.submit('waiting', chained) as Promise<void>;
    await settle();
    worker.ack();
    const gaveUp = new Error('close timed out');
    dispatch.abandon(gaveUp);
    await expect(waiting).rejects.toBe(gaveUp);
    expect(output.errors).toEqual([{ element: 'sent', error: gaveUp }]);
    expect(dispatch.pendingElements).toBe(0);
    worker.succeed(0, 0);
    expect(output.values).toEqual([]);
  });

  test('once closing began, an element is refused with ClientClosingError', async () => {
    const dispatch = segment();
    dispatch.stopAccepting();
    await expect(dispatch.submit(0, chain())).rejects.toBeInstanceOf(ClientClosingError);
    expect(dispatch.scatterState).toBe('draining');
    expect(dispatch.pendingElements).toBe(0);
  });

  test('once its task bus closed for good, the segment sends nothing more (no busy loop); abandon() fails the waiting element', async () => {
    const dispatch = segment();
    await bus.close();
    expect(dispatch.submit(0, chain())).toBeUndefined();
    for (let i = 0; i < 10; i++) await settle();
    expect(dispatch.resent).toBe(0);
    const gaveUp = new Error('close timed out');
    dispatch.abandon(gaveUp);
    expect(output.errors).toEqual([{ element: 0, error: gaveUp }]);
  });

  test('a forged result with a value count a map chain cannot produce is refused; the real result is delivered', async () => {
    const errorLog = jest.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const dispatch = segment();
      worker.join();
      dispatch.submit(0, chain());
      await settle();
      worker.ack();
      worker.succeed(0, 0, []);
      worker.succeed(0, 0, ['x', 'y']);
      expect(output.values).toEqual([]);
      expect(dispatch.pendingElements).toBe(1);
      expect(errorLog).toHaveBeenCalledTimes(1);
      worker.succeed(0, 0);
      expect(output.values).toEqual(['r0']);
    } finally {
      errorLog.mockRestore();
    }
  });
});
