/**
 * One distributed segment, from `scatter()` to `gather()`. It turns each element into a task and
 * sends it to the pool's queue group while it holds a credit; follows each task until its result
 * arrived (sequence, attempt, the worker that took it, lease) and sends lost ones again; drops
 * duplicates, puts results back in order and hands them to its gather node. A result delivered
 * downstream returns its credit as a credit message.
 *
 * Tasks that find no worker with room (no responders, or refused as busy) wait for a worker's
 * capacity credit. An element's way reads in one direction: submit → batch → bus → worker → bus →
 * results → reassembly → gather node.
 */
import type { Context } from '@opentelemetry/api';
import { createActor, type Actor } from 'xstate';
import { gatherMachine, type GatherState } from '../../actors/gather';
import { scatterMachine } from '../../actors/scatter';
import { ClientClosingError, PipelineError } from '../../errors';
import { reportInspection } from '../../actors/inspection';
import { systemScheduler, type Scheduler } from '../../scheduler';
import type { Emitted } from '../../stream';
import { NoRespondersError, RequestTimeoutError, type Bus, type Message, type Subscription } from '../../transport/bus';
import { EncodeError } from '../../transport/codec';
import { CalmingReport } from '../../util/calming-report';
import { Fifo } from '../../util/fifo';
import { OnceLog } from '../../util/once-log';
import { RunningMean } from '../../util/running-mean';
import type { CompiledChain } from '../compiled-chain';
import { chainLabel, describeFailure, PROTOCOL_VERSION, readCreditGrant, readResultBatch, readTaskAck, type CreditGrant, type ResultBatch, type TaskAck, type TaskBatch, type TaskFailure, type WireResult, type WireTask } from '../protocol';
import { RejectionLog } from '../rejection-log';
import type { Subjects } from '../subjects';
import { retryDelay } from '../task-policy';
import { activeTraceContext, traceHeaders } from '../trace-context';
import type { SegmentListener, WorkerDirectory } from './worker-directory';

interface Deferred {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * `queued`: no credit yet; `ready`: holds a credit, to be sent (again); `sent`: published, not
 * acknowledged; `accepted`: a worker took it; `backoff`: failed, waiting to be retried.
 */
type Stage = 'queued' | 'ready' | 'sent' | 'accepted' | 'backoff';

interface TaskEntry {
  readonly seq: number;
  readonly value: unknown;
  readonly chain: CompiledChain;
  stage: Stage;
  /** Sends so far less one: the attempt number of the last send. */
  attempt: number;
  /** Attempts that failed or timed out (worker loss does not count): retries used so far. */
  failures: number;
  /** Results of attempts below this one are stale (that attempt already failed). */
  firstLiveAttempt: number;
  worker: string | undefined;
  /** Scheduler time of the last send. */
  sentAt: number;
  /** The `emit` still waiting on this element, if any. */
  owner: Deferred | undefined;
  /** The element's trace context when it entered the segment (a span was active): its tasks carry it. */
  readonly trace: Context | undefined;
}

/** The element's outcome: its result, or `undefined` when `close()` gave up on it. */
interface Arrival {
  readonly entry: TaskEntry;
  readonly result: WireResult | undefined;
}

/** The gather node a segment delivers to. */
export interface SegmentOutput {
  /** Emits one value downstream; a Promise while downstream applies back pressure. */
  emit(value: unknown): Emitted;
  /** A failure no `emit` caller can receive any more. */
  reportError(element: unknown, error: unknown): void;
  /** The segment holds elements (for `drain()`), from the first accepted until the last delivered. */
  segmentHolds(): void;
  segmentReleased(): void;
  /** Resolves once every element the segment handed it left the node. */
  finished(): Promise<void>;
  toString(): string;
}

export interface SegmentOptions {
  id: string;
  /** The task bus, once connected. */
  bus: () => Bus | undefined;
  /** Where credit messages travel (gather and scatter both live in this process). */
  controlBus: Bus;
  subjects: Subjects;
  directory: WorkerDirectory;
  credits: number;
  /** A `buffer(n)` set the credits: the first n emits return at once. Without one, an emit waits for its result. */
  buffered: boolean;
  ordered: boolean;
  /** How long a worker may hold a task it accepted before it counts as lost (ms). */
  lease: number;
  /** How long a sent batch may go unacknowledged before it counts as lost (ms). */
  acceptTimeout: number;
  scheduler?: Scheduler;
}

type CreditLevel = 'available' | 'exhausted';

/** An acknowledgement may take this many times the running mean before its batch counts as lost... */
const ACK_TIMEOUT_FACTOR = 10;
/** ...but never less than this (ms): a short stall of the worker's event loop is no loss. */
const MIN_ACK_TIMEOUT = 200;
/** An accepted task older than this many running means (plus the margin, ms) gets its worker probed. */
const OVERDUE_FACTOR = 3;
const OVERDUE_MARGIN = 20;

export class Segment implements SegmentListener {
  readonly id: string;
  /** Results dropped because their element was already settled or the attempt is stale. */
  duplicates = 0;
  /** Elements holding a credit, from being sent until delivered; never above the credits. */
  tasksInFlight = 0;
  peakInFlight = 0;
  /** Tasks put back to be sent again: retries, lost worker, lease, lost batch, refused by a busy pool. */
  resent = 0;
  /** Sends of a task, first ones and again. */
  tasksSent = 0;
  /** Results that arrived, duplicates and failures included. */
  resultsReceived = 0;
  /** Failed attempts sent again under the retry policy. */
  retries = 0;
  private credits: number;
  private nextSeq = 0;
  private readonly entries = new Map<number, TaskEntry>();
  private readonly queued = new Fifo<TaskEntry>();
  /** Entries holding a credit and waiting to be sent, in sequence order. */
  private readonly ready: TaskEntry[] = [];
  private readonly outgoing = new Map<CompiledChain, TaskEntry[]>();
  private outgoingCount = 0;
  /**
   * Batches (and their tasks) sent and not answered since the pool last announced its room (at
   * announcement `at`): that room still counts them, and each took a member's one message.
   */
  private readonly unannounced = { at: 0, batches: 0, tasks: 0 };
  private flushScheduled = false;
  private sequentialBusy = false;
  /** No worker had room for the last tasks: nothing is sent until a capacity credit arrives. */
  private parked = false;
  /** Capacity credits heard so far: a batch refused or unanswered by the pool is sent again at once if one came while it was out. */
  private capacityHeard = 0;
  /** Time from send to result, and from send to acknowledgement (scheduler ms). */
  private readonly taskTimes = new RunningMean();
  private readonly ackTimes = new RunningMean();
  private missing: string | undefined = undefined;
  /** Workers that refused a chain of this segment for lacking a task: their capacity does not help it. */
  private readonly incapable = new Set<string>();
  private readonly retryTimers = new Set<unknown>();
  private closing = false;
  /** The bus is connected: until then even a buffered emit waits (a client that cannot start fails it). */
  private attached = false;
  private abandonedBy: Error | undefined = undefined;
  // Reassembly.
  private readonly arrived = new Map<number, Arrival>();
  private readonly completed = new Fifo<Arrival>();
  private nextDelivery = 0;
  private blocked = false;
  private outstanding = 0;
  private grants = 0;
  private readonly scheduler: Scheduler;
  private readonly scatterActor: Actor<typeof scatterMachine>;
  private readonly gatherActor: Actor<typeof gatherMachine>;
  private readonly creditReport: CalmingReport<CreditLevel>;
  private readonly gatherReport: CalmingReport<GatherState>;
  private workersReported = false;
  private readonly subscriptions: Subscription[] = [];
  private readonly stopListening: () => void;
  private readonly rejections = new RejectionLog('rivulet gather');
  private readonly notes = new OnceLog();

  constructor(
    private readonly options: SegmentOptions,
    private readonly output: SegmentOutput,
  ) {
    this.id = options.id;
    this.credits = options.credits;
    this.scheduler = options.scheduler ?? systemScheduler;
    this.scatterActor = createActor(scatterMachine, { id: `scatter-${this.id}`, inspect: reportInspection });
    this.gatherActor = createActor(gatherMachine, { id: `gather-${this.id}`, inspect: reportInspection });
    this.scatterActor.subscribe({ error: (error) => output.reportError(undefined, error) });
    this.gatherActor.subscribe({ error: (error) => output.reportError(undefined, error) });
    this.scatterActor.start();
    this.gatherActor.start();
    this.creditReport = new CalmingReport<CreditLevel>('available', { available: 0, exhausted: 1 }, () => (this.credits > 0 ? 'available' : 'exhausted'), (_, to) =>
      this.scatterActor.send({ type: 'CREDITS', available: to === 'available' }),
    );
    this.gatherReport = new CalmingReport<GatherState>('idle', { idle: 0, collecting: 1, blocked: 2 }, () => this.gatherSituation, (from, to) => this.tellGather(from, to));
    this.subscriptions.push(options.controlBus.subscribe(options.subjects.credit(this.id), (message) => this.onCredit(message.data)));
    this.stopListening = options.directory.listen(this);
    this.reportWorkers();
  }

  /** Subscribes to results once the task bus is connected; buffered emits that waited for it return. */
  attach(bus: Bus): void {
    this.subscriptions.push(bus.subscribe(this.options.subjects.results(this.id), this.onResults));
    this.attached = true;
    if (this.options.buffered) for (const entry of this.ready) this.releaseOwner(entry);
    this.sendReady();
  }

  get scatterState(): string {
    return this.scatterActor.getSnapshot().value as string;
  }

  get gatherState(): string {
    return this.gatherActor.getSnapshot().value as string;
  }

  get availableCredits(): number {
    return this.credits;
  }

  /** Elements accepted and not delivered (or failed) yet. */
  get pendingElements(): number {
    return this.outstanding;
  }

  /**
   * Accepts an element. A buffered segment returns `undefined` while it has a credit, else a
   * promise that resolves once the element got one; an unbuffered one returns a promise that
   * settles with the element's fate.
   */
  submit(value: unknown, chain: CompiledChain): Emitted {
    if (this.closing) return Promise.reject(new ClientClosingError());
    const entry: TaskEntry = { seq: this.nextSeq++, value, chain, stage: 'queued', attempt: -1, failures: 0, firstLiveAttempt: 0, worker: undefined, sentAt: 0, owner: undefined, trace: activeTraceContext() };
    this.entries.set(entry.seq, entry);
    if (this.outstanding++ === 0) this.output.segmentHolds();
    this.gatherReport.update();
    const waits = !this.options.buffered || !this.attached || this.credits === 0 || this.queued.length > 0;
    const settled = waits ? new Promise<void>((resolve, reject) => (entry.owner = { resolve, reject })) : undefined;
    this.queued.push(entry);
    this.grantFromQueue();
    this.sendReady();
    return settled;
  }

  // --- Dispatch ---------------------------------------------------------------------------

  /** Gives credits to queued elements, oldest first; a buffered element's emit returns then. */
  private grantFromQueue(): void {
    while (this.credits > 0 && this.queued.length > 0) {
      const entry = this.queued.shift();
      this.credits--;
      if (++this.tasksInFlight > this.peakInFlight) this.peakInFlight = this.tasksInFlight;
      entry.stage = 'ready';
      this.ready.push(entry);
      if (this.options.buffered && this.attached) this.releaseOwner(entry);
    }
    this.creditReport.update();
  }

  private releaseOwner(entry: TaskEntry): void {
    const owner = entry.owner;
    entry.owner = undefined;
    owner?.resolve();
  }

  /**
   * Moves ready entries into this turn's batches while workers have room and order allows. A
   * closed bus never opens again: its entries wait for `abandon()` (a send would requeue them at
   * once, a busy loop).
   */
  private sendReady(): void {
    const bus = this.options.bus();
    if (this.parked || bus === undefined || bus.status === 'closed' || this.ready.length === 0) return;
    let budget = this.sendBudget();
    // Called for every element submitted: without room, nothing to walk through.
    if (budget <= 0) return;
    let kept = 0;
    for (const entry of this.ready) {
      if (budget <= 0 || !this.maySend(entry)) {
        this.ready[kept++] = entry;
        continue;
      }
      entry.stage = 'sent';
      entry.attempt++;
      this.tasksSent++;
      entry.sentAt = this.scheduler.now();
      if (entry.chain.sequential) this.sequentialBusy = true;
      let batch = this.outgoing.get(entry.chain);
      if (batch === undefined) this.outgoing.set(entry.chain, (batch = []));
      batch.push(entry);
      this.outgoingCount++;
      budget--;
    }
    this.ready.length = kept;
    if (this.outgoing.size > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  /**
   * Tasks that may go out now: no more than the room the pool's workers last announced, nor than
   * this segment's share of the pool (other segments' tasks wait there too); the rest waits for
   * capacity. A segment holding nothing sends one anyway: a stale view costs a no-responders
   * answer, not a stall.
   */
  private sendBudget(): number {
    const room = this.options.directory.room();
    if (room === undefined) return Infinity;
    const held = this.entries.size - this.queued.length - this.ready.length - this.retryTimers.size;
    const unannounced = this.sentSinceAnnounced();
    const members = room.members - unannounced.batches;
    const budget = Math.min(Math.min(room.total - unannounced.tasks, members * room.largest) - this.outgoingCount, room.share - held);
    return held === 0 ? Math.max(1, budget) : budget;
  }

  private maySend(entry: TaskEntry): boolean {
    if (entry.chain.sequential && this.sequentialBusy) return false;
    const missing = this.options.directory.missingFor(entry.chain.steps);
    if (missing !== this.missing) this.noteMissing(missing);
    return missing === undefined;
  }

  private noteMissing(missing: string | undefined): void {
    this.missing = missing;
    this.scatterActor.send({ type: 'TASKS', missing: missing !== undefined });
    if (missing !== undefined) this.notes.log(`missing:${missing}`, `rivulet ${this.output}: ${missing}; its elements wait until such a worker joins`);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const bus = this.options.bus();
    const batches = [...this.outgoing];
    this.outgoing.clear();
    this.outgoingCount = 0;
    const size = Math.max(1, this.options.directory.room()?.largest ?? Infinity);
    for (const [chain, entries] of batches) {
      if (bus === undefined || bus.status === 'closed') this.requeue(entries, false);
      // No batch larger than a worker's room: the part beyond it would come back refused.
      else for (let at = 0; at < entries.length; at += size) this.sendBatch(bus, chain, entries.slice(at, at + size));
    }
  };

  /** One request to the queue group; the worker that takes it answers what it took. */
  private sendBatch(bus: Bus, chain: CompiledChain, entries: TaskEntry[]): void {
    const timeout = chain.policy.timeout;
    const tasks = entries.map((entry): WireTask => ({ seq: entry.seq, attempt: entry.attempt, value: entry.value, states: chain.currentStates() }));
    const batch: TaskBatch = { v: PROTOCOL_VERSION, pipeline: this.id, reply: this.options.subjects.results(this.id), chain: chain.steps, tasks, ...(timeout === undefined ? {} : { timeout }) };
    const attempts = entries.map((entry) => entry.attempt);
    const sentAt = this.scheduler.now();
    const heard = this.capacityHeard;
    const ackTimeout = this.ackTimeout();
    const unannounced = this.sentSinceAnnounced();
    unannounced.batches++;
    unannounced.tasks += entries.length;
    const announced = unannounced.at;
    bus.request(this.options.subjects.tasks, batch, { timeout: ackTimeout, headers: traceHeaders(entries) }).then(
      (data) => {
        this.answered(entries.length, announced);
        this.ackTimes.add(this.scheduler.now() - sentAt);
        this.onAck(entries, attempts, data, heard, announced);
        this.sendReady();
      },
      (error: unknown) => {
        this.answered(entries.length, announced);
        // A late acknowledgement is never seen: count the timeout itself, so that a slow pool lengthens it.
        if (error instanceof RequestTimeoutError) this.ackTimes.add(ackTimeout);
        this.unsent(bus, chain, entries, attempts, error, heard);
      },
    );
  }

  /**
   * What was sent and not answered since the pool last announced its room. A new announcement
   * starts the count afresh: a worker announces its room after it took what it was sent.
   */
  private sentSinceAnnounced(): { at: number; batches: number; tasks: number } {
    const announced = this.options.directory.announced;
    if (announced !== this.unannounced.at) Object.assign(this.unannounced, { at: announced, batches: 0, tasks: 0 });
    return this.unannounced;
  }

  /** A batch sent when the pool's announcements were at `announced` was answered (or lost). */
  private answered(count: number, announced: number): void {
    const unannounced = this.sentSinceAnnounced();
    if (announced !== unannounced.at) return;
    unannounced.batches--;
    unannounced.tasks -= count;
  }

  /** How long a batch may go unacknowledged: a multiple of the usual time, within the configured bound. */
  private ackTimeout(): number {
    const usual = this.ackTimes.value;
    return usual === undefined ? this.options.acceptTimeout : Math.min(this.options.acceptTimeout, Math.max(MIN_ACK_TIMEOUT, ACK_TIMEOUT_FACTOR * usual));
  }

  /** Tasks no worker took wait for a capacity credit, unless one arrived while they were out. */
  private waitForRoom(entries: readonly TaskEntry[], heard: number): void {
    this.requeue(entries, this.capacityHeard === heard);
  }

  /** Entries of a send that are still waiting for its answer (no result came, no later send). */
  private stillSent(entries: TaskEntry[], attempts: number[]): TaskEntry[] {
    return entries.filter((entry, i) => entry.stage === 'sent' && entry.attempt === attempts[i] && this.entries.get(entry.seq) === entry);
  }

  private onAck(entries: TaskEntry[], attempts: number[], data: unknown, heard: number, announced: number): void {
    const live = this.stillSent(entries, attempts);
    let ack: TaskAck;
    try {
      ack = readTaskAck(data);
    } catch (error) {
      this.rejections.recordRefusal(error);
      this.requeue(live, false);
      return;
    }
    const refused = new Set(ack.refused);
    const again: TaskEntry[] = [];
    for (const entry of live) {
      if (refused.has(entry.seq)) {
        again.push(entry);
      } else {
        entry.stage = 'accepted';
        entry.worker = ack.worker;
      }
    }
    this.options.directory.took(ack.worker, live.length - again.length, announced);
    if (again.length === 0) return;
    if (ack.reason === 'missing-task') {
      this.incapable.add(ack.worker);
      if (ack.detail !== undefined) this.notes.log(`refused:${ack.worker}`, `rivulet ${this.output}: ${ack.detail}; its tasks go to other workers`);
    }
    // A busy worker took what it had room for: the rest goes to the queue group again at once,
    // where another member may have room. Otherwise wait for a worker with room (and, after a
    // missing-task refusal, one that did not refuse).
    if (ack.reason === 'busy') this.requeue(again, false);
    else this.waitForRoom(again, heard);
  }

  private unsent(bus: Bus, chain: CompiledChain, entries: TaskEntry[], attempts: number[], error: unknown, heard: number): void {
    const live = this.stillSent(entries, attempts);
    if (live.length === 0) return;
    if (!(error instanceof EncodeError)) {
      if (error instanceof NoRespondersError) this.waitForRoom(live, heard);
      else this.requeue(live, false);
      return;
    }
    if (live.length > 1) {
      // Over the server's payload limit (or one element cannot travel): halves, until only that element fails.
      const half = live.length >> 1;
      this.sendBatch(bus, chain, live.slice(0, half));
      this.sendBatch(bus, chain, live.slice(half));
      return;
    }
    const [entry] = live;
    this.settle(entry, { seq: entry.seq, attempt: entry.attempt, ok: false, task: chainLabel(chain.steps), error: describeFailure(error) });
    this.deliverReady();
  }

  /** Puts entries back to be sent again (in sequence order); `park`: only once a worker has room. */
  private requeue(entries: readonly TaskEntry[], park: boolean): void {
    if (entries.length === 0) return;
    for (const entry of entries) {
      entry.stage = 'ready';
      entry.worker = undefined;
      if (entry.chain.sequential) this.sequentialBusy = false;
      let at = this.ready.length;
      while (at > 0 && this.ready[at - 1].seq > entry.seq) at--;
      this.ready.splice(at, 0, entry);
    }
    this.resent += entries.length;
    if (park) this.park();
    this.sendReady();
  }

  private park(): void {
    this.parked = true;
    this.reportWorkers();
  }

  /** Sends again, after the policy's backoff, an element whose attempt failed. */
  private retry(entry: TaskEntry): void {
    this.retries++;
    entry.failures++;
    entry.firstLiveAttempt = entry.attempt + 1;
    entry.stage = 'backoff';
    entry.worker = undefined;
    // A sequential chain stays busy through the backoff: the next element needs this one's state.
    const timer = this.scheduler.setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.entries.get(entry.seq) !== entry) return;
      if (entry.chain.sequential) this.sequentialBusy = false;
      this.requeue([entry], false);
    }, retryDelay(entry.chain.policy, entry.failures));
    this.retryTimers.add(timer);
  }

  private resendWhere(lost: (entry: TaskEntry) => boolean): void {
    const entries = [...this.entries.values()].filter((entry) => (entry.stage === 'sent' || entry.stage === 'accepted') && lost(entry));
    this.requeue(entries.sort((a, b) => a.seq - b.seq), false);
  }

  workerJoined(): void {
    this.reportWorkers();
    this.sendReady();
  }

  workerLost(id: string): void {
    this.incapable.delete(id);
    this.resendWhere((entry) => entry.stage === 'accepted' && entry.worker === id);
    this.reportWorkers();
  }

  capacity(worker: string): void {
    if (this.incapable.has(worker)) return;
    this.capacityHeard++;
    if (this.parked) {
      this.parked = false;
      this.reportWorkers();
    }
    this.sendReady();
  }

  leasesDue(now: number): void {
    if (this.tasksInFlight === 0) return;
    this.resendWhere((entry) => entry.stage === 'accepted' && now - entry.sentAt > this.options.lease);
    this.probeOverdue(now);
  }

  /**
   * A task held several times longer than tasks usually take may sit on a worker that died (a
   * SIGKILLed process sends no goodbye, and heartbeats notice it only after an interval or more):
   * its worker is asked whether it is still there, and if its connection is gone, it is lost now.
   */
  private probeOverdue(now: number): void {
    const holders = new Set<string>();
    for (const entry of this.entries.values()) if (this.overdue(entry, now)) holders.add(entry.worker as string);
    for (const worker of holders) this.options.directory.probeWorker(worker);
  }

  private overdue(entry: TaskEntry, now: number): boolean {
    const usual = this.taskTimes.value;
    return usual !== undefined && entry.stage === 'accepted' && entry.worker !== undefined && now - entry.sentAt > OVERDUE_FACTOR * usual + OVERDUE_MARGIN;
  }

  /** Results keep coming while the next one to deliver does not: its worker is probed without waiting for the sweep. */
  private probeHeadOfLine(): void {
    const head = this.options.ordered ? this.entries.get(this.nextDelivery) : undefined;
    if (head !== undefined && this.overdue(head, this.scheduler.now())) this.options.directory.probeWorker(head.worker as string);
  }

  busReconnected(): void {
    this.resendWhere(() => true);
  }

  private reportWorkers(): void {
    const available = !this.parked && this.options.directory.available;
    if (available === this.workersReported) return;
    this.workersReported = available;
    this.scatterActor.send({ type: 'WORKERS', available });
  }

  // --- Results and reassembly -------------------------------------------------------------

  private readonly onResults = (message: Message): void => {
    let batch: ResultBatch;
    try {
      batch = readResultBatch(message.data);
    } catch (error) {
      this.rejections.recordRefusal(error);
      return;
    }
    const { results } = batch;
    if (batch.counts !== undefined) this.options.directory.counted(batch.worker, batch.counts);
    this.resultsReceived += results.length;
    for (const result of results) this.complete(result);
    this.deliverReady();
    this.probeHeadOfLine();
    this.sendReady();
  };

  private complete(result: WireResult): void {
    const entry = this.entries.get(result.seq);
    if (entry === undefined || entry.stage === 'queued' || entry.stage === 'backoff' || result.attempt < entry.firstLiveAttempt || result.attempt > entry.attempt) {
      this.duplicates++;
      return;
    }
    if (result.ok && !entry.chain.yields(result.values.length)) {
      this.rejections.recordRefusal(new Error(`a result with ${result.values.length} values for a chain that cannot produce that many`));
      return;
    }
    if (result.attempt === entry.attempt) this.taskTimes.add(this.scheduler.now() - entry.sentAt);
    if (!result.ok && entry.failures < entry.chain.policy.retries) {
      this.retry(entry);
      return;
    }
    entry.chain.storeStates(result.ok ? result.states : undefined);
    this.settle(entry, result);
  }

  /** The element's outcome is known: out of dispatch, into reassembly. */
  private settle(entry: TaskEntry, result: WireResult | undefined): void {
    const waiting = entry.stage === 'ready' ? this.ready.indexOf(entry) : -1;
    if (waiting >= 0) this.ready.splice(waiting, 1);
    this.entries.delete(entry.seq);
    if (entry.chain.sequential) this.sequentialBusy = false;
    const arrival: Arrival = { entry, result };
    if (this.options.ordered) this.arrived.set(entry.seq, arrival);
    else this.completed.push(arrival);
  }

  private nextArrival(): Arrival | undefined {
    if (!this.options.ordered) return this.completed.length > 0 ? this.completed.shift() : undefined;
    const arrival = this.arrived.get(this.nextDelivery);
    if (arrival !== undefined) {
      this.arrived.delete(this.nextDelivery);
      this.nextDelivery++;
    }
    return arrival;
  }

  private deliverReady(): void {
    while (!this.blocked) {
      const arrival = this.nextArrival();
      if (arrival === undefined) break;
      const pending = this.deliver(arrival);
      if (pending === undefined) {
        this.delivered(arrival);
        continue;
      }
      this.blocked = true;
      this.gatherReport.update();
      pending.then(
        () => this.unblock(arrival),
        (error: unknown) => {
          this.fail(arrival.entry, error);
          this.unblock(arrival);
        },
      );
    }
    this.grantCredits();
  }

  private unblock(arrival: Arrival): void {
    this.blocked = false;
    this.delivered(arrival);
    this.deliverReady();
    this.sendReady();
  }

  /** Emits a result's values downstream; a Promise while downstream applies back pressure. */
  private deliver({ entry, result }: Arrival): Promise<void> | undefined {
    if (result === undefined) {
      this.fail(entry, this.abandonedBy);
      return undefined;
    }
    if (!result.ok) {
      this.fail(entry, new PipelineError(String(this.output), entry.value, remoteError(result.error), result.task, entry.seq));
      return undefined;
    }
    try {
      const values = result.values;
      for (let i = 0; i < values.length; i++) {
        const pending = this.output.emit(values[i]);
        if (pending !== undefined) return this.emitRest(pending, values, i + 1);
      }
    } catch (error) {
      this.fail(entry, error);
    }
    return undefined;
  }

  private async emitRest(pending: Promise<void>, values: unknown[], from: number): Promise<void> {
    await pending;
    for (let i = from; i < values.length; i++) await this.output.emit(values[i]);
  }

  /** A failure goes to the `emit` still waiting on the element, else to `errors`. */
  private fail(entry: TaskEntry, error: unknown): void {
    const owner = entry.owner;
    if (owner === undefined) {
      this.output.reportError(entry.value, error);
      return;
    }
    entry.owner = undefined;
    owner.reject(error);
  }

  /** Downstream took the element: its credit goes back, and an unbuffered emit returns. */
  private delivered({ entry }: Arrival): void {
    this.releaseOwner(entry);
    if (entry.stage !== 'queued') {
      this.tasksInFlight--;
      this.grants++;
    }
    if (--this.outstanding === 0) this.output.segmentReleased();
    this.gatherReport.update();
  }

  private grantCredits(): void {
    if (this.grants === 0 || this.options.controlBus.status === 'closed') return;
    const grant: CreditGrant = { v: PROTOCOL_VERSION, credits: this.grants };
    this.grants = 0;
    this.options.controlBus.publish(this.options.subjects.credit(this.id), grant);
  }

  private onCredit(data: unknown): void {
    this.credits += readCreditGrant(data).credits;
    this.grantFromQueue();
    this.sendReady();
  }

  private get gatherSituation(): GatherState {
    return this.blocked ? 'blocked' : this.outstanding > 0 ? 'collecting' : 'idle';
  }

  private tellGather(from: GatherState, to: GatherState): void {
    let at = from;
    if (at === 'blocked') {
      this.gatherActor.send({ type: 'UNBLOCKED' });
      at = 'collecting';
    }
    if (to === 'blocked') this.gatherActor.send({ type: 'BLOCKED' });
    else if (to === 'idle' && at === 'collecting') this.gatherActor.send({ type: 'SETTLED' });
    else if (to === 'collecting' && at === 'idle') this.gatherActor.send({ type: 'OUTSTANDING' });
  }

  // --- Closing ----------------------------------------------------------------------------

  /** `close()` began: later elements are refused. */
  stopAccepting(): void {
    this.closing = true;
    this.scatterActor.send({ type: 'DRAIN' });
  }

  /** Gives up on every element not delivered yet (close timed out): they fail with `error`. */
  abandon(error: Error): void {
    this.abandonedBy = error;
    this.cancelRetries();
    const entries = [...this.entries.values(), ...drainFifo(this.queued)].sort((a, b) => a.seq - b.seq);
    this.ready.length = 0;
    this.outgoing.clear();
    this.outgoingCount = 0;
    for (const entry of new Set(entries)) this.settle(entry, undefined);
    this.deliverReady();
  }

  /** Ends the segment: stops its actors and subscriptions. */
  close(): void {
    this.cancelRetries();
    this.creditReport.cancel();
    this.gatherReport.cancel();
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.stopListening();
    this.scatterActor.send({ type: 'DRAINED' });
    this.scatterActor.stop();
    this.gatherActor.stop();
  }

  private cancelRetries(): void {
    for (const timer of this.retryTimers) this.scheduler.clearTimeout(timer);
    this.retryTimers.clear();
  }
}

function drainFifo<T>(fifo: Fifo<T>): T[] {
  const items: T[] = [];
  while (fifo.length > 0) items.push(fifo.shift());
  return items;
}

function remoteError(failure: TaskFailure): Error {
  const error = new Error(failure.message);
  error.name = failure.name;
  if (failure.stack !== undefined) error.stack = failure.stack;
  return error;
}
