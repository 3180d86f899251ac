/**
 * The scatter side of a distributed segment: turns each element reaching `gather()` into a task,
 * sends it to the least loaded worker while it holds a credit, and tracks every task in flight
 * (sequence, attempt, assigned worker, lease deadline) so that a lost worker's tasks are sent
 * again. Tasks accepted in the same turn of the event loop travel as one message per worker.
 */
import { createActor, type Actor } from 'xstate';
import { scatterMachine } from '../actors/scatter';
import { reportInspection } from '../inspect/inspection';
import type { Bus, Subscription } from '../transport/bus';
import { EncodeError } from '../transport/codec';
import { describeFailure, PROTOCOL_VERSION, readCreditGrant, type ResultBatch, type TaskBatch, type WireResult, type WireTask } from '../transport/protocol';
import type { Subjects } from '../transport/subjects';
import type { CompiledChain } from './compiled-chain';
import { retryDelay } from './task-policy';
import type { DirectoryListener, WorkerDirectory } from './worker-directory';

/** An element accepted by a segment, from acceptance until its results were delivered. */
export interface TaskEntry {
  readonly seq: number;
  readonly value: unknown;
  readonly chain: CompiledChain;
  attempt: number;
  /** Attempts that failed or timed out (worker loss does not count): retries used so far. */
  failures: number;
  /** Results of attempts below this one are stale (that attempt already failed). */
  firstLiveAttempt: number;
  worker: string | undefined;
  /** When the worker's lease on it runs out (`Date.now()` based). */
  deadline: number;
  /** The `emit` still waiting on this element, if any: it settles with the element's fate. */
  owner: Deferred | undefined;
}

export interface Deferred {
  resolve(): void;
  reject(error: unknown): void;
}

export interface DispatcherOptions {
  /** The task bus, once connected (no worker is known before, so nothing is sent before). */
  bus: () => Bus | undefined;
  controlBus: Bus;
  subjects: Subjects;
  directory: WorkerDirectory;
  pipeline: string;
  credits: number;
  /** How long a worker may hold a task before it counts as lost (ms). */
  lease: number;
}

interface Outgoing {
  readonly worker: string;
  readonly chain: CompiledChain;
  readonly tasks: WireTask[];
}

export class Dispatcher implements DirectoryListener {
  readonly inFlight = new Map<number, TaskEntry>();
  /** Tasks sent and not completed; never above the credits granted. */
  tasksInFlight = 0;
  /** The most tasks ever in flight at once. */
  peakInFlight = 0;
  private credits: number;
  private nextSeq = 0;
  /** Accepted elements not sent yet (no credit, no worker, or a sequential chain busy), oldest first. */
  private readonly waiting: TaskEntry[] = [];
  /** The entry that took the last credit: its `emit` waits for a credit to come back. */
  private blocked: TaskEntry | undefined = undefined;
  private sequentialBusy = false;
  /** Tasks to send at the next flush, by worker, one batch per chain (usually one). */
  private readonly outgoing = new Map<string, Outgoing[]>();
  private flushScheduled = false;
  private readonly actor: Actor<typeof scatterMachine>;
  private readonly creditSubscription: Subscription;
  private readonly stopListening: () => void;
  private hadWorkers = false;
  /** What the actor was last told about credits (it lags `credits > 0`: see `reportCredits`). */
  private creditsReported = true;
  private creditsReport: NodeJS.Immediate | undefined = undefined;
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: DispatcherOptions) {
    this.credits = options.credits;
    this.actor = createActor(scatterMachine, { id: `scatter-${options.pipeline}`, inspect: reportInspection });
    this.actor.subscribe({ error: (error) => console.error('rivulet scatter:', error) });
    this.actor.start();
    this.creditSubscription = options.controlBus.subscribe(options.subjects.credit(options.pipeline), (message) => this.onCredit(message.data));
    this.stopListening = options.directory.listen(this);
    this.reportWorkers();
  }

  get state(): string {
    return this.actor.getSnapshot().value as string;
  }

  get availableCredits(): number {
    return this.credits;
  }

  /**
   * Accepts an element. Returns `undefined` when it was sent and credits remain; otherwise a
   * promise that settles once it was sent and a credit is free again (or rejects with its failure).
   */
  submit(value: unknown, chain: CompiledChain): Promise<void> | undefined {
    const entry: TaskEntry = { seq: this.nextSeq++, value, chain, attempt: 0, failures: 0, firstLiveAttempt: 0, worker: undefined, deadline: 0, owner: undefined };
    this.inFlight.set(entry.seq, entry);
    if (this.waiting.length === 0 && this.trySend(entry)) {
      if (this.credits > 0) return undefined;
      return this.block(entry);
    }
    this.waiting.push(entry);
    return new Promise<void>((resolve, reject) => {
      entry.owner = { resolve, reject };
    });
  }

  /**
   * Called by the gather side when a result arrives. Returns the element's entry when this result
   * is its outcome (a success, or a failure with no retry left), `'retrying'` when a failed
   * attempt will be sent again, `'duplicate'` for a result already settled or of a stale attempt.
   */
  complete(result: WireResult): TaskEntry | 'retrying' | 'duplicate' {
    const entry = this.inFlight.get(result.seq);
    if (entry === undefined || entry.deadline === 0 || result.attempt < entry.firstLiveAttempt) return 'duplicate';
    if (!result.ok && entry.failures < entry.chain.policy.retries) {
      this.retry(entry);
      return 'retrying';
    }
    entry.chain.storeStates(result.ok ? result.states : undefined);
    this.inFlight.delete(entry.seq);
    this.tasksInFlight--;
    this.takeOutOfWaiting(entry);
    this.options.directory.release(entry.worker);
    if (entry.chain.sequential) {
      this.sequentialBusy = false;
      this.pump();
    }
    return entry;
  }

  /** Sends a failed element again after the policy's backoff; later attempts' results only count. */
  private retry(entry: TaskEntry): void {
    entry.failures++;
    entry.firstLiveAttempt = entry.attempt + 1;
    this.takeOutOfWaiting(entry);
    this.options.directory.release(entry.worker);
    entry.worker = undefined;
    const requeue = (): void => {
      this.retryTimers.delete(timer);
      if (!this.inFlight.has(entry.seq)) return;
      if (entry.chain.sequential) this.sequentialBusy = false;
      this.requeue([entry]);
    };
    // A sequential chain stays busy through the backoff: the next element needs this one's state.
    const timer = setTimeout(requeue, retryDelay(entry.chain.policy, entry.failures));
    this.retryTimers.add(timer);
  }

  private cancelRetries(): void {
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
  }

  private takeOutOfWaiting(entry: TaskEntry): void {
    if (entry.worker !== undefined) return;
    const index = this.waiting.indexOf(entry);
    if (index >= 0) this.waiting.splice(index, 1);
  }

  /** Puts entries back among the waiting ones in sequence order and sends what can go. */
  private requeue(entries: TaskEntry[]): void {
    for (const entry of entries) {
      let at = 0;
      while (at < this.waiting.length && this.waiting[at].seq < entry.seq) at++;
      this.waiting.splice(at, 0, entry);
    }
    this.pump();
  }

  /** Gives up on every element not completed yet (the client closes): returns them, oldest first. */
  abandon(): TaskEntry[] {
    const entries = [...this.inFlight.values()].sort((a, b) => a.seq - b.seq);
    for (const entry of entries) this.options.directory.release(entry.worker);
    this.inFlight.clear();
    this.waiting.length = 0;
    this.blocked = undefined;
    this.tasksInFlight = 0;
    this.cancelRetries();
    return entries;
  }

  drainStarted(): void {
    this.actor.send({ type: 'DRAIN' });
  }

  drainEnded(): void {
    this.actor.send({ type: 'DRAINED' });
  }

  workerJoined(): void {
    this.reportWorkers();
    this.pump();
  }

  workerLost(id: string): void {
    this.resend((entry) => entry.worker === id);
    this.reportWorkers();
  }

  leasesDue(now: number): void {
    if (this.tasksInFlight > 0) this.resend((entry) => entry.worker !== undefined && entry.deadline < now);
  }

  busReconnected(): void {
    this.resend((entry) => entry.worker !== undefined);
  }

  /** Takes matching sent tasks back from their workers and sends them again, oldest first. */
  private resend(lost: (entry: TaskEntry) => boolean): void {
    const entries = [...this.inFlight.values()].filter(lost);
    if (entries.length === 0) return;
    for (const entry of entries) {
      this.options.directory.release(entry.worker);
      entry.worker = undefined;
      if (entry.chain.sequential) this.sequentialBusy = false;
    }
    this.requeue(entries);
  }

  close(): void {
    this.cancelRetries();
    clearImmediate(this.creditsReport);
    this.creditSubscription.unsubscribe();
    this.stopListening();
    this.actor.stop();
  }

  private block(entry: TaskEntry): Promise<void> {
    this.blocked = entry;
    return new Promise<void>((resolve, reject) => {
      entry.owner = { resolve, reject };
    });
  }

  /** Takes a credit (unless re-sending) and a worker for `entry`; false when either is missing. */
  private trySend(entry: TaskEntry): boolean {
    const fresh = entry.deadline === 0;
    if (fresh && this.credits === 0) return false;
    if (entry.chain.sequential && this.sequentialBusy) return false;
    const worker = this.options.directory.assign();
    if (worker === undefined) return false;
    if (fresh) {
      if (++this.tasksInFlight > this.peakInFlight) this.peakInFlight = this.tasksInFlight;
      this.credits--;
      if (this.credits === 0 && this.creditsReported) {
        this.creditsReported = false;
        this.actor.send({ type: 'CREDITS', available: false });
      }
    } else {
      entry.attempt++;
    }
    entry.worker = worker;
    entry.deadline = Date.now() + this.options.lease;
    if (entry.chain.sequential) this.sequentialBusy = true;
    this.enqueue(entry, worker);
    return true;
  }

  private enqueue(entry: TaskEntry, worker: string): void {
    this.outgoingFor(worker, entry.chain).tasks.push({ seq: entry.seq, attempt: entry.attempt, value: entry.value, states: entry.chain.currentStates() });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  private outgoingFor(worker: string, chain: CompiledChain): Outgoing {
    let batches = this.outgoing.get(worker);
    if (batches === undefined) this.outgoing.set(worker, (batches = []));
    for (const out of batches) if (out.chain === chain) return out;
    const out: Outgoing = { worker, chain, tasks: [] };
    batches.push(out);
    return out;
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const { subjects, pipeline } = this.options;
    const bus = this.options.bus();
    if (bus === undefined || bus.status === 'closed') return;
    const reply = subjects.results(pipeline);
    for (const batches of this.outgoing.values()) {
      for (const out of batches) {
        const timeout = out.chain.policy.timeout;
        const batch: TaskBatch = { v: PROTOCOL_VERSION, pipeline, reply, chain: out.chain.steps, tasks: out.tasks, ...(timeout === undefined ? {} : { timeout }) };
        try {
          bus.publish(subjects.workerTasks(out.worker), batch);
        } catch (error) {
          this.unsent(bus, reply, out.tasks, error);
        }
      }
    }
    this.outgoing.clear();
  };

  /**
   * A batch the bus would not take: elements that cannot be encoded fail (through the results
   * subject, like any task failure); otherwise (the bus is closing) the tasks stay in flight and
   * are sent again like any lost task.
   */
  private unsent(bus: Bus, reply: string, tasks: WireTask[], error: unknown): void {
    if (!(error instanceof EncodeError)) return;
    const results = tasks.map((task): WireResult => ({ seq: task.seq, attempt: task.attempt, ok: false, task: 'scatter', error: describeFailure(error) }));
    bus.publish(reply, { v: PROTOCOL_VERSION, worker: 'client', results } satisfies ResultBatch);
  }

  private onCredit(data: unknown): void {
    const { credits } = readCreditGrant(data);
    this.credits += credits;
    if (!this.creditsReported && this.credits > 0 && this.creditsReport === undefined) this.creditsReport = setImmediate(this.reportCredits);
    const blocked = this.blocked;
    if (blocked !== undefined) {
      this.blocked = undefined;
      const owner = blocked.owner;
      blocked.owner = undefined;
      owner?.resolve();
    }
    this.pump();
  }

  /** Sends waiting entries, oldest first, while credits, workers and sequencing allow. */
  private pump(): void {
    while (this.waiting.length > 0) {
      const entry = this.waiting[0];
      if (!this.trySend(entry)) return;
      this.waiting.shift();
      if (entry.owner === undefined || entry.attempt > 0) continue;
      if (this.credits > 0) {
        const owner = entry.owner;
        entry.owner = undefined;
        owner.resolve();
      } else {
        this.blocked = entry;
      }
    }
  }

  /**
   * Reports credits back once they stayed available for a turn of the event loop: under steady
   * saturation the released emit takes the last credit again first, and the state stays `saturated`
   * instead of flipping to `dispatching` and back once per result batch.
   */
  private readonly reportCredits = (): void => {
    this.creditsReport = undefined;
    if (this.creditsReported || this.credits === 0) return;
    this.creditsReported = true;
    this.actor.send({ type: 'CREDITS', available: true });
  };

  private reportWorkers(): void {
    const available = this.options.directory.available;
    if (available === this.hadWorkers) return;
    this.hadWorkers = available;
    this.actor.send({ type: 'WORKERS', available });
  }
}
