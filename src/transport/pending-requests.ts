/**
 * Requests waiting for their reply, keyed by id. One timer sweeps all of them (armed for the
 * earliest deadline) instead of a timer per request, which is what caps `nc.request()`.
 */
import { systemScheduler, type Scheduler } from '../scheduler';
import { RequestTimeoutError } from './bus';

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  readonly subject: string;
  readonly timeout: number;
  readonly deadline: number;
}

export class PendingRequests {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private timer: unknown = undefined;
  private timerDeadline = Infinity;

  constructor(private readonly scheduler: Scheduler = systemScheduler) {}

  get size(): number {
    return this.pending.size;
  }

  /** Registers a request and returns its id. */
  open(subject: string, timeout: number, resolve: (value: unknown) => void, reject: (reason: unknown) => void): number {
    const id = this.nextId++;
    const deadline = this.scheduler.now() + timeout;
    this.pending.set(id, { resolve, reject, subject, timeout, deadline });
    if (deadline < this.timerDeadline) this.arm(deadline);
    return id;
  }

  /** Settles request `id` with its reply; false when it is unknown (late or foreign reply). */
  resolve(id: number, value: unknown): boolean {
    const entry = this.take(id);
    entry?.resolve(value);
    return entry !== undefined;
  }

  reject(id: number, reason: unknown): boolean {
    const entry = this.take(id);
    entry?.reject(reason);
    return entry !== undefined;
  }

  /** The subject request `id` went to, while it waits. */
  subjectOf(id: number): string | undefined {
    return this.pending.get(id)?.subject;
  }

  private take(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    if (entry !== undefined) this.pending.delete(id);
    return entry;
  }

  rejectAll(reason: unknown): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    this.disarm();
    for (const entry of entries) entry.reject(reason);
  }

  private arm(deadline: number): void {
    this.disarm();
    this.timerDeadline = deadline;
    this.timer = this.scheduler.setTimeout(() => this.sweep(), Math.max(0, deadline - this.scheduler.now()));
    // The sweep outlives the requests it was armed for; it must not keep the process alive.
    (this.timer as { unref?: () => void } | undefined)?.unref?.();
  }

  private disarm(): void {
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDeadline = Infinity;
  }

  private sweep(): void {
    this.timer = undefined;
    this.timerDeadline = Infinity;
    const now = this.scheduler.now();
    let next = Infinity;
    for (const [id, entry] of this.pending) {
      if (entry.deadline <= now) {
        this.pending.delete(id);
        entry.reject(new RequestTimeoutError(entry.subject, entry.timeout));
      } else if (entry.deadline < next) {
        next = entry.deadline;
      }
    }
    if (next !== Infinity) this.arm(next);
  }
}
