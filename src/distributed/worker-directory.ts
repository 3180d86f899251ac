/**
 * The client's view of the worker pool, built from heartbeats: who is alive, how many slots each
 * advertises and how many of this client's tasks each holds. Scatter asks it for the least loaded
 * worker; a worker that announces `stopped` or stays silent for a few heartbeat intervals is lost,
 * and its tasks are re-dispatched by whoever sent them.
 */
import type { Bus, Subscription } from '../transport/bus';
import { readHeartbeat, type Heartbeat, type WorkerPhase } from '../transport/protocol';
import type { Subjects } from '../transport/subjects';

export interface WorkerInfo {
  id: string;
  capacity: number;
  /** Tasks the worker reported running or queued at its last heartbeat. */
  inFlight: number;
  /** This client's tasks currently assigned to it. */
  assigned: number;
  done: number;
  failed: number;
  /** `Date.now()` of its last heartbeat. */
  lastHeartbeat: number;
  phase: WorkerPhase;
}

export interface DirectoryListener {
  /** A worker can take tasks (a first or an additional one). */
  workerJoined(): void;
  /** A worker is gone: re-dispatch what it held. */
  workerLost(id: string): void;
  /** Periodic check (ms since the epoch): re-dispatch tasks whose lease ran out. */
  leasesDue(now: number): void;
  /** The bus reconnected: messages in flight may have been lost, re-dispatch. */
  busReconnected(): void;
}

/** Heartbeats a worker may miss before it counts as lost. */
const MISSED_HEARTBEATS = 3;

export class WorkerDirectory {
  private readonly workers = new Map<string, WorkerInfo & { interval: number }>();
  private readonly listeners = new Set<DirectoryListener>();
  private subscription: Subscription | undefined = undefined;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly subjects: Subjects,
    sweepInterval = 250,
  ) {
    this.sweeper = setInterval(() => this.sweep(), sweepInterval);
    this.sweeper.unref();
  }

  /** Starts listening to heartbeats on `bus` (once connected). */
  attach(bus: Bus): void {
    this.subscription = bus.subscribe(this.subjects.heartbeat, (message) => this.onHeartbeat(message.data, this.subjects.pool));
  }

  listen(listener: DirectoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): WorkerInfo[] {
    return [...this.workers.values()].map(({ interval, ...info }) => ({ ...info }));
  }

  get size(): number {
    return this.workers.size;
  }

  /** Whether some worker takes tasks now. */
  get available(): boolean {
    for (const worker of this.workers.values()) if (worker.phase === 'ready') return true;
    return false;
  }

  /** The ready worker with the lowest share of its capacity taken by this client, counted as taken. */
  assign(): string | undefined {
    let best: WorkerInfo | undefined;
    let bestLoad = Infinity;
    for (const worker of this.workers.values()) {
      if (worker.phase !== 'ready') continue;
      const load = worker.assigned / worker.capacity;
      if (load < bestLoad) {
        best = worker;
        bestLoad = load;
      }
    }
    if (best === undefined) return undefined;
    best.assigned++;
    return best.id;
  }

  release(id: string | undefined): void {
    const worker = id === undefined ? undefined : this.workers.get(id);
    if (worker !== undefined && worker.assigned > 0) worker.assigned--;
  }

  close(): void {
    clearInterval(this.sweeper);
    this.subscription?.unsubscribe();
  }

  private onHeartbeat(data: unknown, pool: string): void {
    let beat: Heartbeat;
    try {
      beat = readHeartbeat(data);
    } catch (error) {
      console.error('rivulet: rejected a heartbeat:', error instanceof Error ? error.message : error);
      return;
    }
    if (beat.pool !== pool) return;
    if (beat.phase === 'stopped') {
      this.lose(beat.id);
      return;
    }
    const known = this.workers.get(beat.id);
    const wasReady = known?.phase === 'ready';
    const info = {
      id: beat.id,
      capacity: beat.capacity,
      inFlight: beat.inFlight,
      assigned: known?.assigned ?? 0,
      done: beat.done,
      failed: beat.failed,
      lastHeartbeat: Date.now(),
      phase: beat.phase,
      interval: beat.interval,
    };
    this.workers.set(beat.id, info);
    if (!wasReady && beat.phase === 'ready') for (const listener of this.listeners) listener.workerJoined();
  }

  /** Worker `id` is known to be gone (its thread exited): its tasks are re-dispatched now. */
  forget(id: string): void {
    this.lose(id);
  }

  private lose(id: string): void {
    if (!this.workers.delete(id)) return;
    for (const listener of this.listeners) listener.workerLost(id);
  }

  /** Core NATS is at-most-once: after a reconnect, whatever was in flight may be gone. */
  reconnected(): void {
    for (const listener of this.listeners) listener.busReconnected();
  }

  private sweep(): void {
    const now = Date.now();
    for (const worker of [...this.workers.values()]) {
      if (now - worker.lastHeartbeat > worker.interval * MISSED_HEARTBEATS) this.lose(worker.id);
    }
    for (const listener of this.listeners) listener.leasesDue(now);
  }
}
