/**
 * A link consumer's membership of its queue group, for exactly as many messages as it has free
 * credits. Each grant is a NATS subscription with auto-unsubscribe after `max` messages: the
 * server stops choosing this consumer once it handed over that many, and when no member has any
 * left it answers the producer "no responders". Freed credits join as a new subscription rather
 * than raising a live one's `max`: a raise that reaches the server after the subscription was used
 * up is ignored, and the client would wait forever on a subscription the server forgot.
 *
 * nats.js re-subscribes after a reconnect without the `max`, so `rejoin()` then replaces every
 * subscription with one for the messages still open.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';

export class Membership {
  private readonly subscriptions = new Set<Subscription>();
  private openCount = 0;

  constructor(
    private readonly connection: NatsConnection,
    private readonly subject: string,
    private readonly queue: string,
    private readonly onMessage: (msg: Msg) => void,
  ) {}

  /** Messages the server may still hand this consumer. */
  get open(): number {
    return this.openCount;
  }

  /** Takes `count` more messages. */
  join(count: number): void {
    if (count <= 0) return;
    const subscription = this.connection.subscribe(this.subject, { queue: this.queue, max: count, callback: this.receive });
    this.subscriptions.add(subscription);
    void subscription.closed.then(() => this.subscriptions.delete(subscription));
    this.openCount += count;
  }

  /** Subscribes again for the messages still open (after a reconnect). */
  rejoin(): void {
    const open = this.openCount;
    this.dropAll();
    this.join(open);
  }

  /** Leaves the group; messages the server sent before it heard so still arrive. */
  async leave(): Promise<void> {
    const draining = [...this.subscriptions].map((subscription) => subscription.drain().catch(() => undefined));
    this.subscriptions.clear();
    await Promise.all(draining);
    this.openCount = 0;
  }

  /** Leaves at once; messages on their way are dropped. */
  dropAll(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions.clear();
    this.openCount = 0;
  }

  private readonly receive = (error: Error | null, msg: Msg): void => {
    if (error !== null) return;
    this.openCount--;
    this.onMessage(msg);
  };
}
