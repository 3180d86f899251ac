/**
 * The worker runtime: the same code runs tasks in process (embedded client), in a worker thread
 * (local cluster) and in a `rivulet worker` process (NATS). It serves the pool's queue group for
 * as many tasks as it has room (free slots plus a small prefetch), answers each task batch with
 * what it took, runs at most `concurrency` at once, publishes results in batches, announces
 * capacity when it has room again, and heartbeats the tasks it can run.
 */
import { randomBytes } from 'node:crypto';
import type { Attributes, Context } from '@opentelemetry/api';
import * as path from 'node:path';
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import { workerMachine, type WorkerState } from '../../actors/worker';
import { reportInspection } from '../../actors/inspection';
import { ArgumentRangeError } from '../../errors';
import { systemScheduler, type Scheduler } from '../../scheduler';
import type { Bus, Message, Subscription } from '../../transport/bus';
import { closeBus } from '../../transport/close-bus';
import { EncodeError } from '../../transport/codec';
import { withinBound } from '../../util/bounded';
import { NatsBus, REJECTED_HEADER } from '../../transport/nats-bus';
import { pickConnectionOptions, type NatsConnectionOptions } from '../../transport/nats-options';
import {
  chainLabel,
  describeFailure,
  HEARTBEAT_LIMITS,
  isWorkerId,
  PROTOCOL_VERSION,
  readTaskBatch,
  type CapacityCredit,
  type Heartbeat,
  type RefusalReason,
  type ResultBatch,
  type WorkerCounts,
  type StepSpec,
  type TaskAck,
  type TaskBatch,
  type WireResult,
  type WireTask,
  type WorkerPhase,
} from '../protocol';
import { DEFAULT_POOL, DEFAULT_PREFIX, Subjects } from '../subjects';
import { CalmingReport } from '../../util/calming-report';
import { Fifo } from '../../util/fifo';
import { OnceLog } from '../../util/once-log';
import { requireNonNegativeInteger, requirePositiveInteger } from '../../validate';
import { runChain, StepFailure, stepLabel, TaskTimeoutError, type ChainOutput } from './chain';
import { addRejections, RejectionLog, type RejectionCounts } from '../rejection-log';
import { registeredTasks, taskNamed, versionOf } from '../tasks';
import { PoolMembership } from './membership';
import { Prefetch } from './prefetch';
import { InspectPublisher } from './inspect-publisher';
import { startDurableTasks, type DurableTaskRunner } from '../durable/durable-task-runner';
import { AuthenticatedBus } from '../authenticated-bus';
import { MessageAuth, type AuthRefusalCounts, type Secret } from '../message-auth';
import type { WorkerTaskCounts, WorkerView } from '../../metrics/collect';
import { registerWorker } from '../../metrics/registry';
import { runInSpan, taskTraceContext } from '../trace-context';

/** `bus` to serve on; or `servers` (and the other NATS connection options) to connect to NATS. */
export interface WorkerOptions extends NatsConnectionOptions {
  bus?: Bus;
  /** Module(s) registering tasks with `task(name, fn)`; loaded before the worker takes tasks. */
  tasks?: string | string[];
  /** Tasks run at once (default 1). */
  concurrency?: number;
  /**
   * Tasks it takes beyond its free slots, so that the next one is there when one ends. Default:
   * adaptive, from the concurrency up to 8 × the concurrency for tasks shorter than a round trip.
   */
  prefetch?: number;
  /** Milliseconds `drain()` waits for running tasks and for the bus to flush before it gives up (default 30 000). */
  drainTimeout?: number;
  pool?: string;
  prefix?: string;
  id?: string;
  /** Milliseconds between heartbeats (default 1000). */
  heartbeatInterval?: number;
  /** Embedded deployment: run functions carried by in-process messages. */
  allowLocalFunctions?: boolean;
  /** The cluster secret (at least 16 bytes) every protocol message is authenticated with; clients need the same. */
  secret?: Secret;
  /** The clock task times and round trips are measured by (its prefetch adapts to them); tests pass a virtual one. */
  scheduler?: Scheduler;
}

interface Queued {
  readonly batch: TaskBatch;
  readonly task: WireTask;
  /** The trace context the task arrived with: the worker's span for it joins that trace. */
  readonly trace: Context | undefined;
}

export const DEFAULT_HEARTBEAT_INTERVAL = 1000;
const DEFAULT_DRAIN_TIMEOUT = 30_000;
/** How long a worker stays idle before its actor says so (ms). */
const IDLE_AFTER = 50;

type WorkerLevel = 'IDLE' | 'BUSY' | 'SATURATED';

export function newWorkerId(): string {
  return `w${randomBytes(4).toString('hex')}`;
}

/** Loads task modules (relative paths from the current directory). */
export function loadTaskModules(modules: string | string[] | undefined): void {
  for (const module of typeof modules === 'string' ? [modules] : (modules ?? [])) {
    require(path.resolve(module));
  }
}

export class Worker implements WorkerView {
  readonly id: string;
  readonly concurrency: number;
  private readonly prefetching: Prefetch;
  private readonly clock: Scheduler;
  private readonly drainTimeout: number;
  private readonly rejections: RejectionLog;
  private readonly auth: MessageAuth | undefined;
  private readonly refusals: OnceLog;
  private bus: Bus | undefined;
  private readonly subjects: Subjects;
  private readonly heartbeatInterval: number;
  private readonly allowLocalFunctions: boolean;
  private readonly actor: Actor<typeof workerMachine>;
  private readonly inspection: InspectPublisher;
  private readonly queue = new Fifo<Queued>();
  private running = 0;
  private done = 0;
  private failed = 0;
  /**
   * Busy at once, idle only once it stayed idle for `IDLE_AFTER` ms: a worker of short tasks is
   * idle for a round trip between batches, and two transitions per batch cost a tenth of its
   * throughput (bench/distributed.ts).
   */
  private readonly level = new CalmingReport<WorkerLevel>('IDLE', { IDLE: 0, BUSY: 1, SATURATED: 2 }, () => this.currentLevel, (_, to) => this.actor.send({ type: to }), IDLE_AFTER);
  private subscriptions: Subscription[] = [];
  private membership: PoolMembership | undefined = undefined;
  /** Over NATS: the tasks of durable segments, pulled from JetStream. */
  private durableTasks: DurableTaskRunner | undefined = undefined;
  private timer: NodeJS.Timeout | undefined = undefined;
  private readonly outbox = new Map<string, WireResult[]>();
  /** Tasks held (queued or running) per segment: how many pipelines share this worker now. */
  private readonly heldPerPipeline = new Map<string, number>();
  /** Segments it took tasks from since the last heartbeat (a pipeline of short tasks is seldom held at the beat). */
  private servedPipelines = new Set<string>();
  private flushScheduled = false;
  private startScheduled = false;
  private idleWaiters: Array<() => void> = [];
  private stopping: Promise<void> | undefined = undefined;
  private phase: WorkerPhase = 'ready';
  private markStopped: () => void = () => {};
  /** Resolves once the worker drained and announced `stopped` (however the drain was asked for). */
  readonly stopped = new Promise<void>((resolve) => (this.markStopped = resolve));

  constructor(private readonly options: WorkerOptions = {}) {
    this.id = options.id ?? newWorkerId();
    if (!isWorkerId(this.id)) throw new ArgumentRangeError('id', 'one literal subject token of letters, digits, - and _ (at most 64)', this.id);
    this.concurrency = requirePositiveInteger('concurrency', options.concurrency ?? 1);
    this.clock = options.scheduler ?? systemScheduler;
    this.prefetching = new Prefetch(this.concurrency, options.prefetch === undefined ? undefined : requireNonNegativeInteger('prefetch', options.prefetch), () => this.clock.now());
    this.drainTimeout = requirePositiveInteger('drainTimeout', options.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT);
    this.heartbeatInterval = requirePositiveInteger('heartbeatInterval', options.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL);
    this.subjects = new Subjects(options.prefix ?? DEFAULT_PREFIX, options.pool ?? DEFAULT_POOL);
    this.allowLocalFunctions = options.allowLocalFunctions ?? false;
    this.rejections = new RejectionLog(`rivulet worker ${this.id}`);
    this.auth = options.secret === undefined ? undefined : new MessageAuth(options.secret, this.id, `rivulet worker ${this.id}`);
    this.refusals = new OnceLog();
    this.bus = options.bus;
    this.inspection = new InspectPublisher(this.id, this.subjects);
    const inspect = (event: InspectionEvent): void => {
      reportInspection(event);
      this.inspection.record(event);
    };
    this.actor = createActor(workerMachine.provide({ actions: { announce: () => this.heartbeat() } }), { id: `worker-${this.id}`, inspect });
    this.actor.subscribe({ error: (error) => console.error(`rivulet worker ${this.id}:`, error) });
    this.actor.start();
    registerWorker(this);
  }

  get state(): WorkerState {
    return this.actor.getSnapshot().value as WorkerState;
  }

  get pool(): string {
    return this.subjects.pool;
  }

  /** Connected, in the pool and not draining: what a container's readiness probe asks. */
  get serving(): boolean {
    return this.phase === 'ready' && this.membership !== undefined && this.bus?.status === 'connected';
  }

  /** Read by metrics. */
  get taskCounts(): WorkerTaskCounts {
    return { run: this.done + this.failed, failed: this.failed, running: this.running, queued: this.queue.length };
  }

  /** Tasks of durable segments (over NATS with JetStream): stored results, and failed attempts. */
  get durableTaskCounts(): { done: number; failed: number } | undefined {
    return this.durableTasks === undefined ? undefined : { done: this.durableTasks.done, failed: this.durableTasks.failed };
  }

  /** Task messages refused as malformed or of another protocol version (decoded, then refused). */
  get rejectedMessages(): number {
    return this.rejections.counts.malformed + this.rejections.counts['unknown-version'];
  }

  /** Everything refused, by kind: bytes the bus could not decode and task messages this worker refused. */
  rejected(): RejectionCounts {
    return this.bus === undefined ? { ...this.rejections.counts } : addRejections(this.bus.stats().rejected, this.rejections.counts);
  }

  /** With a `secret`: messages refused as unauthenticated, altered, stale or replayed. */
  get authRefusals(): AuthRefusalCounts | undefined {
    return this.auth === undefined ? undefined : { ...this.auth.refusals };
  }

  /** Loads the task modules, connects, subscribes and starts heartbeating. */
  async start(): Promise<this> {
    loadTaskModules(this.options.tasks);
    if (this.bus === undefined) {
      if (this.options.servers === undefined) throw new Error('Worker needs a bus or servers');
      this.bus = await NatsBus.connect({ name: `rivulet worker ${this.id}`, ...pickConnectionOptions(this.options) });
    }
    // Stored tasks are not sealed with the secret: a worker that has one runs none of them.
    if (this.bus instanceof NatsBus && this.auth === undefined) this.durableTasks = startDurableTasks(this.bus, this.subjects, this.id, this.concurrency);
    if (this.auth !== undefined) this.bus = new AuthenticatedBus(this.bus, this.auth);
    const bus = this.bus;
    this.rejections.followBus(bus);
    this.subscriptions = [
      bus.subscribe(this.subjects.ping(this.id), (message) => this.answerPing(message)),
      bus.subscribe(this.subjects.drainWorker(this.id), () => void this.drain()),
    ];
    this.inspection.attach(bus);
    this.membership = new PoolMembership(bus, this.subjects.tasks, this.subjects.pool, this.onTasks, () => this.offerRoom());
    bus.onStatus(({ status }) => {
      if (status === 'connected') this.rejoin();
    });
    this.timer = setInterval(() => this.heartbeat(), this.heartbeatInterval);
    this.timer.unref();
    this.offerRoom();
    this.actor.send({ type: 'CONNECTED' });
    return this;
  }

  /** Tasks it holds beyond its running ones at most now. */
  get prefetch(): number {
    return this.prefetching.value;
  }

  /**
   * Tasks it can take now: free slots plus prefetch, less what it runs and holds. Never below 0:
   * it can hold more than that when its prefetch shrank (tasks got longer) after it took them.
   */
  get room(): number {
    return this.phase === 'ready' ? Math.max(0, this.concurrency + this.prefetch - this.running - this.queue.length) : 0;
  }

  /**
   * Whether to join now: while a slot is idle, yes; otherwise only once half of all it can hold is
   * free. A membership carries one batch, so joining for the last few prefetch places would spend a
   * whole round trip (its SUB, the capacity credit, the scatter's request and the answer) on a batch
   * of a few tasks while the ones it holds finish; with half free, the batch it gets keeps it busy
   * while the next round trip runs.
   */
  private get worthJoining(): boolean {
    const room = this.room;
    return room > 0 && (this.running + this.queue.length < this.concurrency || 2 * room >= this.concurrency + this.prefetch);
  }

  /** After a reconnect the server may have lost the membership: join afresh. */
  private rejoin(): void {
    if (this.phase !== 'ready' || this.membership === undefined) return;
    this.membership.leave();
    this.offerRoom();
  }

  /**
   * Joins the queue group again when it is worth it, and says so with a capacity credit: a scatter
   * whose tasks found no member with room waits for one.
   */
  private offerRoom(): void {
    const room = this.room;
    if (!this.worthJoining || this.membership?.offer(room) !== true || this.bus === undefined) return;
    this.prefetching.joined();
    this.bus.publish(this.subjects.capacity, { v: PROTOCOL_VERSION, worker: this.id, free: room, prefetch: this.prefetch } satisfies CapacityCredit);
  }

  private answerPing(message: Message): void {
    if (message.reply !== undefined && this.bus !== undefined && this.bus.status !== 'closed') this.bus.publish(message.reply, this.phase);
  }

  /** Stops taking tasks, finishes the ones it has, announces `stopped`; closes the bus it opened. */
  drain(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  /**
   * Leaves the queue group, lets running tasks finish (at most `drainTimeout`), sends their
   * results and says `stopped`. A bus it opened is drained, or closed when the server cannot be
   * reached, so that the process can exit.
   */
  private async stop(): Promise<void> {
    this.membership?.leave();
    this.phase = 'draining';
    this.actor.send({ type: 'DRAIN' });
    await withinBound(this.durableTasks?.stop() ?? Promise.resolve(), this.drainTimeout);
    if (this.running > 0 || this.queue.length > 0) await withinBound(new Promise<void>((resolve) => this.idleWaiters.push(resolve)), this.drainTimeout);
    this.flushResults();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.phase = 'stopped';
    this.level.cancel();
    this.actor.send({ type: 'STOPPED' });
    this.inspection.close();
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    if (this.options.bus === undefined && this.bus !== undefined) await closeBus(this.bus);
    this.markStopped();
  }

  private readonly onTasks = (message: Message): void => {
    let batch: TaskBatch;
    try {
      batch = readTaskBatch(message.data);
    } catch (error) {
      this.refuse(message, error);
      return;
    }
    const missing = this.phase === 'ready' ? this.missingTask(batch.chain) : undefined;
    const reason: RefusalReason | undefined = this.phase !== 'ready' ? 'draining' : missing !== undefined ? 'missing-task' : undefined;
    this.prefetching.arrived();
    const taken = reason === undefined ? Math.min(this.room, batch.tasks.length) : 0;
    for (let i = 0; i < taken; i++) this.queue.push({ batch, task: batch.tasks[i], trace: taskTraceContext(message.headers, batch.tasks[i].seq, batch.tasks.length) });
    if (taken > 0) {
      this.heldPerPipeline.set(batch.pipeline, (this.heldPerPipeline.get(batch.pipeline) ?? 0) + taken);
      this.servedPipelines.add(batch.pipeline);
    }
    const refused = batch.tasks.slice(taken).map((task) => task.seq);
    this.acknowledge(message.reply, { v: PROTOCOL_VERSION, worker: this.id, refused, ...(refused.length === 0 ? {} : { reason: reason ?? 'busy' }), ...(missing === undefined ? {} : { detail: missing }) });
    // Once the answer and the renewed membership went out (nats.js writes in a microtask): a
    // synchronous task would otherwise hold them back for as long as it runs.
    this.startNextTurn();
  };

  /** Why this worker cannot run `chain` (a task it lacks, or has in another version), if so. */
  private missingTask(chain: readonly StepSpec[]): string | undefined {
    for (const step of chain) {
      if (step.task === undefined || (this.allowLocalFunctions && step.fn !== undefined)) continue;
      const fn = taskNamed(step.task);
      const why =
        fn === undefined
          ? `worker ${this.id} has no task '${step.task}' (check its --tasks module)`
          : step.version !== undefined && versionOf(fn) !== step.version
            ? `worker ${this.id} has task '${step.task}' in version ${versionOf(fn)}, the pipeline uses version ${step.version}`
            : undefined;
      if (why !== undefined) {
        this.refusals.log('missing-task', `rivulet: ${why}: it refuses such tasks (other workers run them); later refusals are only counted`);
        return why;
      }
    }
    return undefined;
  }

  private acknowledge(reply: string | undefined, ack: TaskAck): void {
    if (reply === undefined || this.bus === undefined || this.bus.status === 'closed') return;
    try {
      this.bus.publish(reply, ack);
    } catch {
      // The reply subject itself is unusable: the scatter counts the batch as lost and sends it again.
    }
  }

  /** Counts and logs (once per kind) a task message it cannot run, and answers its reply subject with the reason. */
  private refuse(message: Message, error: unknown): void {
    const refusal = this.rejections.recordRefusal(error);
    if (message.reply === undefined) return;
    try {
      this.bus?.publish(message.reply, undefined, { headers: { [REJECTED_HEADER]: refusal } });
    } catch {
      // The reply subject itself is unusable: nothing to answer.
    }
  }

  private startQueued(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      this.running++;
      this.run(this.queue.shift());
    }
    this.level.update();
  }

  private async run({ batch, task, trace }: Queued): Promise<void> {
    let result: WireResult;
    const started = this.clock.now();
    try {
      const output = await (trace === undefined ? this.runAttempt(batch, task) : this.runInTrace(batch, task, trace));
      result = { seq: task.seq, attempt: task.attempt, ok: true, values: output.values, states: output.states, task: chainLabel(batch.chain), ms: this.clock.now() - started };
      this.done++;
    } catch (error) {
      const step: StepSpec | undefined = error instanceof StepFailure ? error.step : undefined;
      const cause = error instanceof StepFailure ? error.original : error;
      const label = step === undefined ? 'chain' : stepLabel(step);
      result = { seq: task.seq, attempt: task.attempt, ok: false, task: label, error: describeFailure(cause), ms: this.clock.now() - started };
      this.failed++;
    }
    this.running--;
    this.prefetching.finished(result.ms ?? 0);
    this.release(batch.pipeline);
    this.queueResult(batch.reply, result);
    this.startNextTurn();
    if (this.running === 0 && this.queue.length === 0) this.wakeIdleWaiters();
  }

  private release(pipeline: string): void {
    const held = (this.heldPerPipeline.get(pipeline) ?? 1) - 1;
    if (held === 0) this.heldPerPipeline.delete(pipeline);
    else this.heldPerPipeline.set(pipeline, held);
  }

  /** The attempt in a span of the element's trace. */
  private runInTrace(batch: TaskBatch, task: WireTask, trace: Context): Promise<ChainOutput> {
    const attributes = (): Attributes => ({ 'rivulet.worker': this.id, 'rivulet.pool': this.subjects.pool, 'rivulet.segment': batch.pipeline, 'rivulet.task.seq': task.seq, 'rivulet.task.attempt': task.attempt });
    return runInSpan(`rivulet task ${chainLabel(batch.chain)}`, trace, attributes, () => this.runAttempt(batch, task));
  }

  /** Runs the chain; with a batch `timeout`, an attempt that runs longer fails (its late result is never sent). */
  private runAttempt(batch: TaskBatch, task: WireTask): Promise<ChainOutput> {
    const timeout = batch.timeout;
    if (timeout === undefined) return runChain(batch.chain, task.value, task.states, this.allowLocalFunctions);
    const started = Date.now();
    const run = runChain(batch.chain, task.value, task.states, this.allowLocalFunctions);
    const last = batch.chain[batch.chain.length - 1];
    const timedOut = (): StepFailure => new StepFailure(last, new TaskTimeoutError(`the task ran longer than its timeout of ${timeout} ms`));
    return new Promise<ChainOutput>((resolve, reject) => {
      const timer = setTimeout(() => reject(timedOut()), timeout);
      run.then(
        (output) => {
          clearTimeout(timer);
          // A synchronous task blocks the timer: measure instead.
          if (Date.now() - started > timeout) reject(timedOut());
          else resolve(output);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /**
   * Starts queued tasks in the next turn, after the results of this one went out: a scatter then
   * refills its window while they run (a batch of short tasks used to run whole in one turn and
   * its results travel together: 0.90x raw nats.js at 100k elements, 1.00x after), and a
   * synchronous task does not hold back the results before it.
   */
  private startNextTurn(): void {
    if (this.queue.length === 0) return this.level.update();
    if (this.startScheduled) return;
    this.startScheduled = true;
    setImmediate(this.startScheduledTasks);
  }

  private readonly startScheduledTasks = (): void => {
    this.startScheduled = false;
    this.startQueued();
  };

  private queueResult(reply: string, result: WireResult): void {
    let results = this.outbox.get(reply);
    if (results === undefined) this.outbox.set(reply, (results = []));
    results.push(result);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushResults);
    }
  }

  /** Results completed in the same turn of the event loop travel as one message per pipeline; then it offers the room they freed. */
  private readonly flushResults = (): void => {
    this.flushScheduled = false;
    if (this.bus === undefined || this.bus.status === 'closed') return;
    for (const [reply, results] of this.outbox) this.publishResults(this.bus, reply, results);
    this.outbox.clear();
    this.offerRoom();
  };

  /**
   * A batch over the server's payload limit is split in halves; a single result that cannot be
   * encoded (too deep, too large) fails its task instead of the worker.
   */
  private publishResults(bus: Bus, reply: string, results: WireResult[]): void {
    try {
      bus.publish(reply, { v: PROTOCOL_VERSION, worker: this.id, results, counts: this.counts() } satisfies ResultBatch);
    } catch (error) {
      if (!(error instanceof EncodeError)) {
        this.refusals.log(`send:${reply}`, `rivulet worker ${this.id}: could not send results to ${reply}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      if (results.length > 1) {
        const half = results.length >> 1;
        this.publishResults(bus, reply, results.slice(0, half));
        this.publishResults(bus, reply, results.slice(half));
        return;
      }
      const failed = results.map((result): WireResult => ({ seq: result.seq, attempt: result.attempt, ok: false, task: 'result', error: describeFailure(error) }));
      bus.publish(reply, { v: PROTOCOL_VERSION, worker: this.id, results: failed, counts: this.counts() } satisfies ResultBatch);
    }
  }

  private counts(): WorkerCounts {
    return { done: this.done, failed: this.failed, inFlight: this.running + this.queue.length };
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private get currentLevel(): WorkerLevel {
    return this.running === 0 ? 'IDLE' : this.running >= this.concurrency ? 'SATURATED' : 'BUSY';
  }

  private heartbeat(): void {
    if (this.bus === undefined || this.bus.status === 'closed') return;
    const sharing = this.pipelinesSharing();
    const beat: Heartbeat = {
      v: PROTOCOL_VERSION,
      id: this.id,
      pool: this.subjects.pool,
      capacity: this.concurrency,
      inFlight: this.running + this.queue.length,
      done: this.done,
      failed: this.failed,
      phase: this.phase,
      interval: this.heartbeatInterval,
      rejected: this.rejected(),
      tasks: registeredTasks(),
      // Room only counts while a batch can reach it: a busy worker that has not joined again takes nothing now.
      free: this.membership?.member === true ? this.room : 0,
      prefetch: this.prefetch,
      pipelines: sharing.length,
      segments: sharing.slice(0, HEARTBEAT_LIMITS.segmentIds),
      ...(this.auth === undefined ? {} : { authRefused: this.authRefusals }),
    };
    this.servedPipelines = new Set();
    this.bus.publish(this.subjects.heartbeat, beat);
  }

  /** Pipelines it holds tasks of now or took tasks from since the last heartbeat. */
  private pipelinesSharing(): string[] {
    return [...new Set([...this.heldPerPipeline.keys(), ...this.servedPipelines])];
  }
}

