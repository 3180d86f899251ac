/**
 * The worker end of durable segments. A worker finds the task streams of its pool (listing them
 * at start, every few seconds and whenever a client announces a segment) and pulls their tasks
 * through each one's durable consumer, shared by the whole pool (`max_ack_pending` is the pool's
 * credit). For each task: run the chain, store the result, then acknowledge the task; a failed
 * task is handed back with backoff until the segment's retries are used up, then its failure is
 * stored as its result and the task dropped (`term`). Results are stored in batches (see
 * ResultBatches): a task's slot is free once its chain ran, its acknowledgement waits for the
 * store. Leases of tasks held (queued, running or being stored) are renewed every third of the
 * consumer's `AckWait`, so only a worker that died lets its tasks go to another. A task whose lease
 * went unrenewed for two thirds of `AckWait` (its chain blocked the event loop, say) may have gone
 * to another worker, which may store a result too: its result is stored marked `late`.
 */
import { jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { describeError } from '../../errors';
import { Codec } from '../../transport/codec';
import type { NatsBus } from '../../transport/nats-bus';
import { chainLabel, describeFailure, PROTOCOL_VERSION, type StepSpec, type WireResult } from '../protocol';
import type { Subjects } from '../subjects';
import { taskNamed, versionOf } from '../tasks';
import { runChain, StepFailure, stepLabel, TaskTimeoutError, type ChainOutput } from '../worker/chain';
import { announceSubject, segmentOfStream, WORKERS_CONSUMER, type DurableNames } from './durable-names';
import { readDurableTask, type DurableResults, type DurableTask } from './durable-protocol';
import { ResultBatches, type Finished, type StoreResults } from './durable-result-batches';

export interface DurableTaskRunnerOptions {
  readonly connection: NatsConnection;
  readonly subjects: Subjects;
  readonly worker: string;
  /** Durable tasks run at once (over all segments). */
  readonly concurrency: number;
  /** Milliseconds between looks for new segments (default 2000). */
  readonly rescanInterval?: number;
}

interface Taken {
  readonly msg: JsMsg;
  readonly names: DurableNames;
}

const DEFAULT_RESCAN = 2_000;
/**
 * Tasks asked for per pull, per slot: fewer pull requests, and more results finished during one
 * store to batch (bench/durable.ts: 4.8 → 14.6 results per stored message, 0.55x → 1.04x core).
 */
const PULL_PER_SLOT = 4;
/** A worker that lacks a task of the chain hands it back for this long (another worker may have it). */
const MISSING_TASK_DELAY = 1_000;

export class DurableTaskRunner {
  /** Durable tasks whose result this worker stored. */
  done = 0;
  /** Attempts that failed (handed back or, after the last retry, stored as failures). */
  failed = 0;
  private readonly codec = new Codec();
  private readonly client: JetStreamClient;
  private readonly consumers = new Map<string, ConsumerMessages | undefined>();
  private readonly queue: Taken[] = [];
  private readonly running = new Set<JsMsg>();
  /** Ran, their result waiting to be stored: acknowledged once it is. */
  private readonly storing = new Set<JsMsg>();
  private readonly batches = new Map<string, ResultBatches>();
  /** Tasks held, and when their lease was last renewed (`performance.now()`). */
  private readonly leases = new Map<JsMsg, number>();
  /** Each segment's `AckWait`, in milliseconds. */
  private readonly ackWaits = new Map<string, number>();
  private announcements: Subscription | undefined = undefined;
  private rescan: NodeJS.Timeout | undefined = undefined;
  private lease: NodeJS.Timeout | undefined = undefined;
  private leaseInterval = Infinity;
  private scanning = false;
  private stopped = false;
  private idle: (() => void) | undefined = undefined;

  constructor(private readonly options: DurableTaskRunnerOptions) {
    this.client = jetstream(options.connection);
  }

  /** Segments it pulls tasks from. */
  get segments(): number {
    return this.consumers.size;
  }

  start(): void {
    this.announcements = this.options.connection.subscribe(announceSubject(this.options.subjects), { callback: () => void this.scan() });
    this.rescan = setInterval(() => void this.scan(), this.options.rescanInterval ?? DEFAULT_RESCAN);
    this.rescan.unref();
    void this.scan();
  }

  /** Stops pulling, hands back the tasks not started, waits for the running ones to store their results. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.rescan);
    this.announcements?.unsubscribe();
    await Promise.all([...this.consumers.values()].map((messages) => messages?.close()));
    for (const { msg } of this.queue.splice(0)) this.handBack(msg);
    if (this.busy()) await new Promise<void>((resolve) => (this.idle = resolve));
    clearInterval(this.lease);
  }

  /** Starts pulling from every task stream of the pool it does not serve yet. */
  private async scan(): Promise<void> {
    if (this.scanning || this.stopped) return;
    this.scanning = true;
    try {
      const manager = await jetstreamManager(this.options.connection);
      for await (const info of manager.streams.list(`${this.options.subjects.prefix}.durable.${this.options.subjects.pool}.*.tasks`)) {
        const names = segmentOfStream(this.options.subjects, info.config.description);
        if (names !== undefined && !this.consumers.has(names.taskStream)) await this.serve(names);
      }
    } catch {
      // JetStream unreachable (not enabled, server restarting): the next scan tries again.
    } finally {
      this.scanning = false;
    }
  }

  private async serve(names: DurableNames): Promise<void> {
    this.consumers.set(names.taskStream, undefined);
    try {
      const consumer = await this.client.consumers.get(names.taskStream, WORKERS_CONSUMER);
      const { config } = await consumer.info();
      const ackWait = (config.ack_wait ?? 30e9) / 1e6;
      this.ackWaits.set(names.taskStream, ackWait);
      this.renewLeasesEvery(Math.max(1, Math.floor(ackWait / 3)));
      const messages = await consumer.consume({ max_messages: PULL_PER_SLOT * this.options.concurrency, callback: (msg) => this.take(msg, names) });
      if (this.stopped) await messages.close();
      else this.consumers.set(names.taskStream, messages);
      // A consumer that ends (its stream deleted, say) is looked for again by the next scan.
      void messages.closed().then(() => {
        if (this.consumers.get(names.taskStream) === messages) this.consumers.delete(names.taskStream);
      });
    } catch {
      this.consumers.delete(names.taskStream);
    }
  }

  private take(msg: JsMsg, names: DurableNames): void {
    if (this.stopped) {
      msg.nak();
      return;
    }
    this.leases.set(msg, performance.now());
    this.queue.push({ msg, names });
    this.startQueued();
  }

  private startQueued(): void {
    while (this.running.size < this.options.concurrency && this.queue.length > 0) {
      const taken = this.queue.shift() as Taken;
      this.running.add(taken.msg);
      void this.run(taken)
        .then((result) => {
          if (result !== undefined) this.finish(taken, result);
        })
        .finally(() => {
          this.running.delete(taken.msg);
          this.startQueued();
          this.checkIdle();
        });
    }
  }

  private busy(): boolean {
    return this.running.size > 0 || this.storing.size > 0;
  }

  private checkIdle(): void {
    if (!this.busy()) this.idle?.();
  }

  /** The task's result to store, or `undefined` when the task was handed back. */
  private async run({ msg }: Taken): Promise<WireResult | undefined> {
    let task: DurableTask;
    try {
      task = readDurableTask(this.codec.decode(msg.data));
    } catch (error) {
      return { seq: msg.seq, attempt: 0, ok: false, task: 'task', error: describeFailure(error) };
    }
    if (!this.canRun(task.chain)) {
      this.handBack(msg, MISSING_TASK_DELAY);
      return undefined;
    }
    const attempt = msg.info.deliveryCount - 1;
    const started = performance.now();
    try {
      const output = await runWithin(task, runChain(task.chain, task.value, undefined, false));
      return { seq: msg.seq, attempt, ok: true, values: output.values, task: chainLabel(task.chain), ms: performance.now() - started };
    } catch (error) {
      this.failed++;
      if (attempt < task.retries) {
        this.handBack(msg, task.backoff * 2 ** attempt);
        return undefined;
      }
      const step = error instanceof StepFailure ? stepLabel(error.step) : 'chain';
      const cause = error instanceof StepFailure ? error.original : error;
      return { seq: msg.seq, attempt, ok: false, task: step, error: describeFailure(cause), ms: performance.now() - started };
    }
  }

  /**
   * Stores the result, then acknowledges the task (or drops it, for a failure). When the result
   * cannot be stored, the task is left alone: its lease runs out and it goes out again.
   */
  private finish({ msg, names }: Taken, result: WireResult): void {
    this.storing.add(msg);
    const unrenewed = performance.now() - (this.leases.get(msg) ?? 0);
    const late = unrenewed >= ((this.ackWaits.get(names.taskStream) ?? Infinity) * 2) / 3;
    void this.batchesOf(names)
      .add({ result, late })
      .then((stored) => {
        this.storing.delete(msg);
        this.leases.delete(msg);
        if (stored && result.ok) {
          msg.ack();
          this.done++;
        } else if (stored) msg.term();
        this.checkIdle();
      });
  }

  private batchesOf(names: DurableNames): ResultBatches {
    let batches = this.batches.get(names.taskStream);
    if (batches === undefined) {
      batches = new ResultBatches(this.storeResults(names));
      this.batches.set(names.taskStream, batches);
    }
    return batches;
  }

  /**
   * One message for the results; its id names their tasks, so the same batch stored twice is
   * stored once (the gather drops any other copy of a result). A batch over the server's largest
   * message is stored in halves.
   */
  private storeResults(names: DurableNames): StoreResults {
    const store: StoreResults = async (finished) => {
      const results = finished.map(({ result }) => result);
      const late = finished.filter((one) => one.late).map(({ result }) => result.seq);
      const stored: DurableResults = { v: PROTOCOL_VERSION, worker: this.options.worker, results, ...(late.length === 0 ? {} : { late }) };
      const payload = this.codec.encode(stored);
      if (finished.length > 1 && payload.length > (this.options.connection.info?.max_payload ?? Infinity)) {
        const half = Math.ceil(finished.length / 2);
        await Promise.all([store(finished.slice(0, half)), store(finished.slice(half))]);
        return;
      }
      const tasks = results.map((result) => result.seq).join(',');
      try {
        await this.client.publish(names.resultSubject, payload, { msgID: `${names.taskStream}.${tasks}` });
      } catch (error) {
        console.error(`rivulet worker ${this.options.worker}: could not store the results of tasks ${tasks} of ${names.taskStream} (${describeError(error)}); they run again after their lease`);
        throw error;
      }
    };
    return store;
  }

  private canRun(chain: readonly StepSpec[]): boolean {
    return chain.every((step) => {
      if (step.task === undefined) return true;
      const fn = taskNamed(step.task);
      return fn !== undefined && (step.version === undefined || versionOf(fn) === step.version);
    });
  }

  /** One timer for every segment, at the shortest third of their `AckWait`s. */
  private renewLeasesEvery(interval: number): void {
    if (interval >= this.leaseInterval) return;
    this.leaseInterval = interval;
    clearInterval(this.lease);
    this.lease = setInterval(this.renewLeases, interval);
    this.lease.unref();
  }

  private readonly renewLeases = (): void => {
    const now = performance.now();
    for (const msg of this.leases.keys()) {
      msg.working();
      this.leases.set(msg, now);
    }
  };

  private handBack(msg: JsMsg, delay?: number): void {
    this.leases.delete(msg);
    msg.nak(delay);
  }
}

/** The chain's output, or a failure of its last step once the task's `timeout` passed (the run itself goes on, its output unused). */
function runWithin(task: DurableTask, run: Promise<ChainOutput>): Promise<ChainOutput> {
  const { timeout } = task;
  if (timeout === undefined) return run;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    const last = task.chain[task.chain.length - 1] ?? { op: 'map' };
    timer = setTimeout(() => reject(new StepFailure(last, new TaskTimeoutError(`the task ran longer than its timeout of ${timeout} ms`))), timeout);
  });
  return Promise.race([run, expired]).finally(() => clearTimeout(timer));
}

/** A runner for a worker connected through `bus`, started. */
export function startDurableTasks(bus: NatsBus, subjects: Subjects, worker: string, concurrency: number): DurableTaskRunner {
  const runner = new DurableTaskRunner({ connection: bus.connection, subjects, worker, concurrency });
  runner.start();
  return runner;
}
