/**
 * The client's view of the worker pool, built from heartbeats: who is alive, how many slots each
 * has, and which tasks (name and version) each can run. Work itself is handed out by the pool's
 * queue group, not from this view; segments use it to tell a lost worker (its accepted tasks are
 * sent again), to hear capacity, and to see whether anyone can run a chain at all.
 *
 * A worker silent for `MISSED_HEARTBEATS` intervals is lost. One whose heartbeat is late is
 * probed: a connection that is gone has no responders, so a killed worker is noticed in about
 * one and a half intervals instead of three.
 */
import { systemScheduler, unrefTimer, type Scheduler } from '../../scheduler';
import { NoRespondersError, type Bus, type Subscription } from '../../transport/bus';
import { ProtocolError, readCapacityCredit, readHeartbeat, type CapacityCredit, type Heartbeat, type StepSpec, type WorkerCounts, type WorkerPhase } from '../protocol';
import { RejectionLog } from '../rejection-log';
import type { Subjects } from '../subjects';

export interface WorkerInfo {
  id: string;
  capacity: number;
  /** Tasks the worker reported running or queued at its last heartbeat. */
  inFlight: number;
  /** Tasks it can take now (free slots and prefetch), as of its last heartbeat. */
  free: number;
  done: number;
  failed: number;
  /** `Date.now()` of its last heartbeat. */
  lastHeartbeat: number;
  phase: WorkerPhase;
  /** Tasks it can run: name -> version hash. */
  tasks: Readonly<Record<string, string>>;
  /** Pipelines (segments of any client) it held tasks of or took tasks from at its last heartbeat. */
  pipelines: number;
}

export interface PoolRoom {
  readonly largest: number;
  readonly total: number;
  /** Workers with room: members of the queue group, for one message each. */
  readonly members: number;
  readonly share: number;
}

export interface DirectoryListener {
  /** A worker can take tasks (a first or an additional one). */
  workerJoined(id: string): void;
  /** A worker is gone: what it accepted must be sent again. */
  workerLost(id: string): void;
  /** Worker `id` has room again: tasks that found none can be sent. */
  capacity(id: string): void;
  /** Periodic check (scheduler time): re-dispatch tasks whose lease ran out. */
  leasesDue(now: number): void;
  /** The bus reconnected: messages in flight may have been lost, re-dispatch. */
  busReconnected(): void;
}

/** A segment of this client listening: heartbeats list the segments a worker served by these ids. */
export interface SegmentListener extends DirectoryListener {
  readonly id: string;
  /** Elements it holds: one holding none does not compete for the pool's room. */
  readonly pendingElements: number;
}

function isSegment(listener: DirectoryListener): listener is SegmentListener {
  return 'pendingElements' in listener;
}

/** Heartbeats a worker may miss before it counts as lost. */
const MISSED_HEARTBEATS = 3;
/** A heartbeat this late (in intervals) gets the worker probed. */
const PROBE_AFTER = 1.25;
const SWEEP_INTERVAL = 250;
/** Probes a segment asks for go to one worker at most this often (ms): a long task is no reason to ping all the time. */
const PROBE_SPACING = 100;
/** How long an unknown worker holding tasks is waited for when asked whether it is there (ms). */
const STRANGER_PROBE_TIMEOUT = 1_000;
/**
 * Workers it keeps track of: a flood of heartbeats with made-up ids cannot grow it further. When it
 * is full, a new worker takes the place of the one heard least recently among those that never took
 * a task of this client (a ghost never does), so that such a flood cannot lock out a real worker
 * that was lost for a moment (3 missed heartbeats under load) and beats again.
 */
export const MAX_KNOWN_WORKERS = 512;

interface Known extends WorkerInfo {
  /** Tasks it holds at most: its capacity plus its prefetch. */
  room: number;
  /** Ids of (up to 64 of) the pipelines it counted at its last heartbeat. */
  segments: readonly string[];
  interval: number;
  /** Scheduler time of its last heartbeat. */
  heardAt: number;
  /** `announcements` when its room was last announced. */
  announcedAt: number;
  probing: boolean;
  /** Scheduler time of the last probe a segment asked for. */
  probedAt: number;
  /** It took tasks of this client's segments (a worker, not merely a heartbeat). */
  served: boolean;
}

export class WorkerDirectory {
  private readonly workers = new Map<string, Known>();
  /** Unknown workers asked whether they are there, answer pending. */
  private readonly strangersProbing = new Set<string>();
  /** Unknown workers' pings unanswered in a row (at most one entry per unknown worker being probed). */
  private readonly strangersUnanswered = new Map<string, number>();
  private readonly listeners = new Set<DirectoryListener>();
  private readonly segments = new Map<string, SegmentListener>();
  private readonly rejections: RejectionLog;
  private subscriptions: Subscription[] = [];
  /** Room announcements (capacity credits and heartbeats) heard so far. */
  private announcements = 0;
  private bus: Bus | undefined = undefined;
  private sweeper: unknown = undefined;
  private closed = false;

  constructor(
    private readonly subjects: Subjects,
    private readonly scheduler: Scheduler = systemScheduler,
    /** Who logs refused messages, e.g. `rivulet client c1`. */
    who = 'rivulet client',
  ) {
    this.rejections = new RejectionLog(who);
    this.scheduleSweep();
  }

  /** Starts listening to heartbeats and capacity credits on `bus` (once connected), and logs what the bus itself refuses. */
  attach(bus: Bus): void {
    this.bus = bus;
    this.rejections.followBus(bus);
    this.subscriptions = [
      bus.subscribe(this.subjects.heartbeat, (message) => this.onHeartbeat(message.data)),
      bus.subscribe(this.subjects.capacity, (message) => this.onCapacity(message.data)),
    ];
  }

  listen(listener: DirectoryListener): () => void {
    this.listeners.add(listener);
    if (isSegment(listener)) this.segments.set(listener.id, listener);
    return () => {
      this.listeners.delete(listener);
      if (isSegment(listener)) this.segments.delete(listener.id);
    };
  }

  list(): WorkerInfo[] {
    return [...this.workers.values()].map(({ room, segments, interval, heardAt, probing, probedAt, announcedAt, served, ...info }) => ({ ...info }));
  }

  /** What is known of worker `id`, without copying the others. */
  info(id: string): Readonly<WorkerInfo> | undefined {
    return this.workers.get(id);
  }

  get size(): number {
    return this.workers.size;
  }

  /** Whether some worker is known to take tasks now. */
  get available(): boolean {
    for (const worker of this.workers.values()) if (worker.phase === 'ready') return true;
    return false;
  }

  /**
   * The room ready workers last announced (capacity credits and heartbeats, less what segments of
   * this client handed them since): the largest and the sum; and `share`, the part of the pool's
   * whole room one segment may hold when as many segments as the busiest worker served share it
   * (less this client's segments that hold nothing now: a finished one competes with nobody).
   * `undefined` while no worker is known.
   */
  room(): PoolRoom | undefined {
    let largest = 0;
    let total = 0;
    let members = 0;
    let whole = 0;
    let pipelines = 1;
    let any = false;
    for (const worker of this.workers.values()) {
      if (worker.phase !== 'ready') continue;
      any = true;
      largest = Math.max(largest, worker.free);
      total += worker.free;
      if (worker.free > 0) members++;
      whole += worker.room;
      pipelines = Math.max(pipelines, this.competing(worker));
    }
    return any ? { largest, total, members, share: Math.ceil(whole / pipelines) } : undefined;
  }

  /** Worker `id`'s totals from a result batch (done and failed only grow; a late heartbeat cannot lower them). */
  counted(id: string, counts: WorkerCounts): void {
    const worker = this.workers.get(id);
    if (worker === undefined) return;
    worker.served = true;
    worker.done = Math.max(worker.done, counts.done);
    worker.failed = Math.max(worker.failed, counts.failed);
    worker.inFlight = counts.inFlight;
  }

  /** Pipelines `worker` counted at its last heartbeat that may still want room: all but this client's idle ones. */
  private competing(worker: Known): number {
    let idle = 0;
    for (const id of worker.segments) if (this.segments.get(id)?.pendingElements === 0) idle++;
    return worker.pipelines - idle;
  }

  /**
   * Room announcements heard so far. A worker announces its room when it joins the queue group
   * again, right after it took a batch and answered it; the announcement can be handled before the
   * answer (it is a plain message, the answer settles a request a turn later), and then already
   * counts that batch.
   */
  get announced(): number {
    return this.announcements;
  }

  /**
   * Worker `id` took `count` tasks of a batch sent when `announced` was `sentAt`: its room is that
   * much smaller until it announces it again, unless it announced it since (that room counts them).
   */
  took(id: string, count: number, sentAt: number): void {
    const worker = this.workers.get(id);
    if (worker === undefined) return;
    if (count > 0) worker.served = true;
    if (worker.announcedAt <= sentAt) worker.free = Math.max(0, worker.free - count);
  }

  /** Asks worker `id` whether it is still there (a segment holds tasks on it longer than usual), at most once per `PROBE_SPACING`. */
  probeWorker(id: string): void {
    const worker = this.workers.get(id);
    if (worker === undefined) return this.probeStranger(id);
    const now = this.scheduler.now();
    if (now - worker.probedAt < PROBE_SPACING) return;
    worker.probedAt = now;
    this.probe(worker);
  }

  /** Messages refused (malformed heartbeats or credits), by kind. */
  get rejected(): RejectionLog['counts'] {
    return this.rejections.counts;
  }

  /**
   * Whether `chain` can run: `undefined` when some ready worker has every task in the chain's
   * version, or while no worker is known yet (the queue group decides); otherwise why not.
   */
  missingFor(chain: readonly StepSpec[]): string | undefined {
    const ready = [...this.workers.values()].filter((worker) => worker.phase === 'ready');
    if (ready.length === 0 || ready.some((worker) => runsChain(worker, chain))) return undefined;
    const step = chain.find((at) => at.task !== undefined && !ready.some((worker) => runsStep(worker, at))) as StepSpec;
    const versions = ready.map((worker) => `${worker.id}: ${worker.tasks[step.task as string] ?? 'missing'}`).join(', ');
    return `no live worker can run task '${step.task}' in version ${step.version ?? 'any'} (workers have ${versions})`;
  }

  close(): void {
    this.closed = true;
    this.scheduler.clearTimeout(this.sweeper);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
  }

  /** Worker `id` is known to be gone (its thread exited): what it held is sent again now. */
  forget(id: string): void {
    this.lose(id);
  }

  /** Core NATS is at-most-once: after a reconnect, whatever was in flight may be gone. */
  reconnected(): void {
    for (const listener of this.listeners) listener.busReconnected();
  }

  private onHeartbeat(data: unknown): void {
    let beat: Heartbeat;
    try {
      beat = readHeartbeat(data);
    } catch (error) {
      this.rejections.recordRefusal(error);
      return;
    }
    if (beat.pool !== this.subjects.pool) return;
    if (beat.phase === 'stopped') {
      this.lose(beat.id);
      return;
    }
    const known = this.workers.get(beat.id);
    if (known === undefined && this.workers.size >= MAX_KNOWN_WORKERS && !this.makeRoom()) {
      this.rejections.recordRefusal(new ProtocolError(`heartbeat of a new worker while ${MAX_KNOWN_WORKERS} are known`));
      return;
    }
    const wasReady = known?.phase === 'ready';
    this.workers.set(beat.id, {
      id: beat.id,
      capacity: beat.capacity,
      inFlight: beat.inFlight,
      free: beat.free ?? 0,
      room: beat.capacity + (beat.prefetch ?? 0),
      pipelines: beat.pipelines ?? 0,
      segments: beat.segments ?? [],
      done: beat.done,
      failed: beat.failed,
      lastHeartbeat: Date.now(),
      phase: beat.phase,
      tasks: beat.tasks ?? {},
      interval: beat.interval,
      heardAt: this.scheduler.now(),
      announcedAt: ++this.announcements,
      probing: false,
      probedAt: known?.probedAt ?? -Infinity,
      served: known?.served ?? false,
    });
    if (!wasReady && beat.phase === 'ready') for (const listener of this.listeners) listener.workerJoined(beat.id);
    if (beat.phase === 'ready' && (beat.free ?? 0) > 0) this.announceCapacity(beat.id);
  }

  private onCapacity(data: unknown): void {
    let credit: CapacityCredit;
    try {
      credit = readCapacityCredit(data);
    } catch (error) {
      this.rejections.recordRefusal(error);
      return;
    }
    const known = this.workers.get(credit.worker);
    this.announcements++;
    if (known !== undefined) {
      known.free = credit.free;
      if (credit.prefetch !== undefined) known.room = known.capacity + credit.prefetch;
      known.announcedAt = this.announcements;
    }
    this.announceCapacity(credit.worker);
  }

  /** Forgets the worker heard least recently among those that never took a task of this client; false when all did. */
  private makeRoom(): boolean {
    let oldest: Known | undefined;
    for (const worker of this.workers.values()) if (!worker.served && (oldest === undefined || worker.heardAt < oldest.heardAt)) oldest = worker;
    if (oldest === undefined) return false;
    this.lose(oldest.id);
    return true;
  }

  private announceCapacity(worker: string): void {
    for (const listener of this.listeners) listener.capacity(worker);
  }

  private lose(id: string): void {
    if (!this.workers.delete(id)) return;
    for (const listener of this.listeners) listener.workerLost(id);
  }

  private scheduleSweep(): void {
    if (!this.closed) this.sweeper = unrefTimer(this.scheduler.setTimeout(this.sweep, SWEEP_INTERVAL));
  }

  private readonly sweep = (): void => {
    const now = this.scheduler.now();
    for (const worker of [...this.workers.values()]) {
      const silent = now - worker.heardAt;
      if (silent > worker.interval * MISSED_HEARTBEATS) this.lose(worker.id);
      else if (silent > worker.interval * PROBE_AFTER) this.probe(worker);
    }
    for (const listener of this.listeners) listener.leasesDue(now);
    this.scheduleSweep();
  };

  /**
   * A worker holding tasks that this directory does not know: its heartbeat was missed (the client
   * started after its first one) or its acknowledgement arrived after it was lost. Without this its
   * tasks would wait for their lease (an hour by default) if it died: it is lost when its
   * connection is gone (no responders), or when it leaves as many pings unanswered in a row as a
   * known worker may miss heartbeats (a frozen process keeps its subscriptions; no heartbeat of it
   * will ever be missed here).
   */
  private probeStranger(id: string): void {
    const bus = this.bus;
    if (bus === undefined || bus.status !== 'connected' || this.strangersProbing.has(id) || this.strangersProbing.size >= MAX_KNOWN_WORKERS) return;
    this.strangersProbing.add(id);
    bus.request(this.subjects.ping(id), null, { timeout: STRANGER_PROBE_TIMEOUT }).then(
      () => {
        this.strangersProbing.delete(id);
        this.strangersUnanswered.delete(id);
      },
      (error: unknown) => {
        this.strangersProbing.delete(id);
        if (this.workers.has(id)) return;
        const unanswered = (this.strangersUnanswered.get(id) ?? 0) + 1;
        if (error instanceof NoRespondersError || unanswered >= MISSED_HEARTBEATS) {
          this.strangersUnanswered.delete(id);
          for (const listener of this.listeners) listener.workerLost(id);
        } else {
          this.strangersUnanswered.set(id, unanswered);
        }
      },
    );
  }

  /** A late worker whose connection is gone has no responders: lose it now. */
  private probe(worker: Known): void {
    const bus = this.bus;
    if (worker.probing || bus === undefined || bus.status !== 'connected') return;
    worker.probing = true;
    bus.request(this.subjects.ping(worker.id), null, { timeout: worker.interval }).then(
      () => (worker.probing = false),
      (error: unknown) => {
        worker.probing = false;
        if (error instanceof NoRespondersError && this.workers.get(worker.id) === worker) this.lose(worker.id);
      },
    );
  }
}

function runsStep(worker: WorkerInfo, step: StepSpec): boolean {
  if (step.task === undefined) return true;
  const version = worker.tasks[step.task];
  return version !== undefined && (step.version === undefined || version === step.version);
}

function runsChain(worker: WorkerInfo, chain: readonly StepSpec[]): boolean {
  return chain.every((step) => runsStep(worker, step));
}
