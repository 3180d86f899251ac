/**
 * A worker's place in the pool's queue group. NATS hands a queue group's message to one member;
 * a member subscribed with `max: 1` leaves by itself after one message, on the server and in the
 * client at the same count, so no message can reach a member that already left. The worker is a
 * member only while it has room, for one message (a batch of tasks) at a time, and joins again
 * once that message was handled if the worker finds it worth it (a slot idle, or half its room free). Only the part of a batch beyond its room can
 * reach it without room: it refuses that part, and the scatter sends it on.
 */
import type { Bus, Handler, Subscription } from '../../transport/bus';

export class PoolMembership {
  private subscription: Subscription | undefined = undefined;

  constructor(
    private readonly bus: Bus,
    private readonly subject: string,
    private readonly queue: string,
    private readonly handler: Handler,
    /** The membership ended (its message arrived, handled or refused by the bus): offer room again. */
    private readonly ended: () => void,
  ) {}

  get member(): boolean {
    return this.subscription !== undefined;
  }

  /** Joins while it has `room`; true when it joined now (scatters waiting for capacity should hear of it). */
  offer(room: number): boolean {
    if (room <= 0 || this.subscription !== undefined || this.bus.status === 'closed') return false;
    const subscription = this.bus.subscribe(this.subject, this.handler, {
      queue: this.queue,
      max: 1,
      onEnd: () => {
        if (this.subscription !== subscription) return;
        this.subscription = undefined;
        this.ended();
      },
    });
    this.subscription = subscription;
    return true;
  }

  /** Leaves (drain), or forgets a membership the server may have lost (after a reconnect). */
  leave(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}
