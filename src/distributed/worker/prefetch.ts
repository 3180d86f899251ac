/**
 * How many tasks a worker holds beyond its running ones. A worker joins the queue group for its
 * next batch when room frees, and the batch arrives one round trip later (its join and capacity
 * credit to the scatter, the batch back). With tasks shorter than that round trip, a prefetch of
 * one task per slot leaves the worker idle for most of every round trip (trivial tasks: 78 k/s,
 * half the raw nats.js rate). So by default the prefetch holds the work of two round trips at the
 * rate the worker finishes tasks, `2 × concurrency × round trip / task time`, never below the
 * concurrency (one waiting per slot, for tasks longer than a round trip) nor above
 * `MAX_PREFETCH_FACTOR` × the concurrency (the bound a flood of tasks meets). A fixed prefetch
 * (`--prefetch N`) does not adapt.
 */
import { RunningMean } from '../../util/running-mean';

export const MAX_PREFETCH_FACTOR = 8;
/** Round trips remembered: the shortest of them counts (a scatter with nothing to send lengthens a wait, not the round trip). */
const ROUND_TRIPS = 16;

export class Prefetch {
  private current: number;
  private readonly adaptive: boolean;
  private readonly taskTime = new RunningMean(0.1);
  private readonly roundTrips: number[] = [];
  private joinedAt: number | undefined = undefined;

  constructor(
    private readonly concurrency: number,
    fixed: number | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.adaptive = fixed === undefined;
    this.current = fixed ?? concurrency;
  }

  get value(): number {
    return this.current;
  }

  /** The worker joined the queue group for its next batch. */
  joined(): void {
    this.joinedAt ??= this.now();
  }

  /** A batch arrived: the time since the join is a round trip (or longer, when no scatter had tasks). */
  arrived(): void {
    if (this.joinedAt === undefined) return;
    this.roundTrips.push(this.now() - this.joinedAt);
    if (this.roundTrips.length > ROUND_TRIPS) this.roundTrips.shift();
    this.joinedAt = undefined;
    this.adapt();
  }

  /** A task ran for `ms`. */
  finished(ms: number): void {
    this.taskTime.add(ms);
  }

  private adapt(): void {
    const taskTime = this.taskTime.value;
    if (!this.adaptive || taskTime === undefined) return;
    const roundTrip = Math.min(...this.roundTrips);
    const covering = taskTime > 0 ? Math.ceil((2 * this.concurrency * roundTrip) / taskTime) : Infinity;
    this.current = Math.min(MAX_PREFETCH_FACTOR * this.concurrency, Math.max(this.concurrency, covering));
  }
}
