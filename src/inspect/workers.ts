import { readHeartbeat, type Heartbeat } from '../distributed/protocol';

/**
 * How the inspector learns about workers and their tasks. The distributed `Client` (or a NATS
 * heartbeat listener) implements these two small interfaces; the inspector never needs more.
 */
export interface WorkerInfo {
  id: string;
  /** Tasks the worker runs at once. */
  capacity: number;
  inFlight: number;
  done: number;
  failed: number;
  /** Epoch milliseconds of the last heartbeat received from the worker. */
  lastHeartbeat: number;
}

export interface WorkerDirectory {
  /** The workers known right now; a worker that left or died is no longer listed. */
  workers(): WorkerInfo[];
}

/** One task a worker ran: the task stream's unit. */
export interface TaskEvent {
  worker: string;
  /** The task (fused chain) name, e.g. `inc` or `inc>double`. */
  task: string;
  seq: number;
  /** Epoch milliseconds. */
  start: number;
  end: number;
  ok: boolean;
  /** For a failed task: the element it ran on and the error's message. */
  element?: unknown;
  error?: string;
}

export interface TaskFeed {
  /** Calls `listener` with every finished task; returns the unsubscribe function. */
  onTask(listener: (event: TaskEvent) => void): () => void;
}

export type WorkerStatus = 'alive' | 'gone';

export interface WorkerView extends WorkerInfo {
  status: WorkerStatus;
  /** Milliseconds since the last heartbeat. */
  heartbeatAge: number;
}

/**
 * Remembers every worker it has seen so that a worker that disappears from the directory, or
 * stops sending heartbeats for `goneAfter` ms, is shown as gone instead of vanishing.
 */
export class WorkerRoster {
  private readonly known = new Map<string, WorkerView>();

  constructor(private readonly goneAfter: number) {}

  update(listed: readonly WorkerInfo[], now: number): WorkerView[] {
    const present = new Set<string>();
    for (const info of listed) {
      present.add(info.id);
      const heartbeatAge = Math.max(0, now - info.lastHeartbeat);
      this.known.set(info.id, { ...info, heartbeatAge, status: heartbeatAge > this.goneAfter ? 'gone' : 'alive' });
    }
    for (const [id, view] of this.known) {
      if (present.has(id)) continue;
      this.known.set(id, { ...view, inFlight: 0, heartbeatAge: Math.max(0, now - view.lastHeartbeat), status: 'gone' });
    }
    return [...this.known.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
}

/** A `WorkerDirectory` fed by heartbeat messages (what `rivulet dashboard --servers` listens to). */
export class HeartbeatDirectory implements WorkerDirectory {
  private readonly latest = new Map<string, WorkerInfo>();

  constructor(
    private readonly forgetAfter: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a heartbeat (a worker announcing `phase: 'stopped'` leaves); malformed ones are ignored and reported as `false`. */
  receive(message: unknown): boolean {
    let heartbeat: Heartbeat;
    try {
      heartbeat = readHeartbeat(message);
    } catch {
      return false;
    }
    const { id, capacity, inFlight, done, failed } = heartbeat;
    if (heartbeat.phase === 'stopped') this.latest.delete(id);
    else this.latest.set(id, { id, capacity, inFlight, done, failed, lastHeartbeat: this.now() });
    return true;
  }

  workers(): WorkerInfo[] {
    const now = this.now();
    for (const [id, info] of this.latest) if (now - info.lastHeartbeat > this.forgetAfter) this.latest.delete(id);
    return [...this.latest.values()];
  }
}
