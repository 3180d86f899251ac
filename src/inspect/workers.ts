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

/** One protocol message between a segment's scatter, a worker and the segment's gather (the inspector's sequence diagram). */
export interface MessageEvent {
  /** Epoch milliseconds. */
  time: number;
  kind: 'tasks' | 'results' | 'credit';
  /** The xstate ids of the actors at both ends: `scatter-<segment>`, `worker-<id>`, `gather-<segment>`. */
  from: string;
  to: string;
  segment: string;
  /** Tasks or results in the batch, or credits granted. */
  count: number;
  /** What a person reads on the arrow: `inc #4..#11`, `results #4 (1 failed)`, `credit +8`. */
  label: string;
}

export interface TaskFeed {
  /** Calls `listener` with every finished task; returns the unsubscribe function. */
  onTask(listener: (event: TaskEvent) => void): () => void;
  /** Calls `listener` with every task batch, result batch and credit grant, if the feed sees messages. */
  onMessage?(listener: (event: MessageEvent) => void): () => void;
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
  /** The last gap between two heartbeats of each worker (ms). */
  private readonly gaps = new Map<string, number>();

  constructor(private readonly goneAfter: number) {}

  update(listed: readonly WorkerInfo[], now: number): WorkerView[] {
    const present = new Set<string>();
    for (const info of listed) {
      present.add(info.id);
      const before = this.known.get(info.id)?.lastHeartbeat;
      if (before !== undefined && info.lastHeartbeat > before) this.gaps.set(info.id, info.lastHeartbeat - before);
      const heartbeatAge = Math.max(0, now - info.lastHeartbeat);
      this.known.set(info.id, { ...info, heartbeatAge, status: heartbeatAge > this.goneAfter ? 'gone' : 'alive' });
    }
    for (const [id, view] of this.known) {
      if (present.has(id)) continue;
      this.gaps.delete(id);
      this.known.set(id, { ...view, inFlight: 0, heartbeatAge: Math.max(0, now - view.lastHeartbeat), status: 'gone' });
    }
    return [...this.known.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The longest last gap between two heartbeats of a listed worker (0 before any second heartbeat). */
  heartbeatPeriod(): number {
    let longest = 0;
    for (const gap of this.gaps.values()) longest = Math.max(longest, gap);
    return longest;
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
