/**
 * A bus whose every message is sealed with the cluster secret (`MessageAuth`): what a handler or
 * a request receives was sent by a holder of the secret, unaltered, recently and once. Refused
 * messages never reach a handler; a refused reply rejects its request. A handler's synchronous
 * reply to a request (a task acknowledgement, a ping answer) is bound to that request.
 *
 * Every subscription has its own replay guard (a message delivered to two subscriptions, such as a
 * segment's results and a dashboard's `results.>`, is new to each). A subscription that follows
 * another on the same subject and queue (the pool membership joins again after every message)
 * takes over its guard, so a replay cannot slip in between two memberships.
 *
 * A NATS bus it wraps is told to carry sealed frames as they are (`carrySealedFrames`): a frame is
 * the whole message, not bytes inside an envelope.
 */
import type { Bus, BusStats, CarriesSealedFrames, BusStatus, BusStatusEvent, BusWarning, Handler, Message, PublishOptions, RequestOptions, SubscribeOptions, Subscription } from '../transport/bus';
import { REPLY_CONTEXT, type MessageAuth } from './message-auth';
import type { ReplayGuard } from './replay-guard';

interface Replying {
  readonly subject: string;
  readonly nonce: string;
}

export class AuthenticatedBus implements Bus {
  /** The request whose handler runs now: a publish to its reply subject answers it. */
  private replying: Replying | undefined = undefined;
  /** Per subject and queue: the guards of its subscriptions, in use or not, by slot. */
  private readonly guards = new Map<string, Array<{ guard: ReplayGuard; inUse: boolean }>>();

  constructor(
    readonly inner: Bus & Partial<CarriesSealedFrames>,
    readonly auth: MessageAuth,
  ) {
    inner.carrySealedFrames?.();
  }

  get status(): BusStatus {
    return this.inner.status;
  }

  publish(subject: string, data: unknown, options?: PublishOptions): void {
    const replying = this.replying;
    const sealed = replying?.subject === subject ? this.auth.seal(REPLY_CONTEXT, data, replying.nonce) : this.auth.seal(subject, data);
    this.inner.publish(subject, sealed.frame, options);
  }

  subscribe<T = unknown>(subject: string, handler: Handler<T>, options?: SubscribeOptions): Subscription {
    const key = `${options?.queue ?? ''} ${subject}`;
    const slot = this.takeGuard(key);
    let released = false;
    const release = (forget: boolean): void => {
      if (released) return;
      released = true;
      this.releaseGuard(key, slot, forget);
    };
    const onEnd = options?.onEnd;
    const ended =
      onEnd === undefined
        ? undefined
        : (): void => {
            release(false);
            onEnd();
          };
    const subscription = this.inner.subscribe(subject, (message) => this.deliver(message, handler as Handler, slot.guard), { ...options, onEnd: ended });
    return {
      subject: subscription.subject,
      unsubscribe: () => {
        subscription.unsubscribe();
        // A queue member that leaves may join again (after a reconnect): its guard stays.
        release(options?.queue === undefined);
      },
    };
  }

  request<T = unknown>(subject: string, data: unknown, options?: RequestOptions): Promise<T> {
    let sealed;
    try {
      sealed = this.auth.seal(subject, data);
    } catch (error) {
      return Promise.reject(error);
    }
    const { nonce } = sealed;
    return this.inner.request(subject, sealed.frame, options).then((reply) => this.auth.openReply(reply, nonce) as T);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  drain(): Promise<void> {
    return this.inner.drain();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  onStatus(listener: (event: BusStatusEvent) => void): () => void {
    return this.inner.onStatus(listener);
  }

  onWarning(listener: (warning: BusWarning) => void): () => void {
    return this.inner.onWarning?.(listener) ?? (() => undefined);
  }

  stats(): BusStats {
    return this.inner.stats();
  }

  private takeGuard(key: string): { guard: ReplayGuard; inUse: boolean } {
    let slots = this.guards.get(key);
    if (slots === undefined) this.guards.set(key, (slots = []));
    let slot = slots.find((free) => !free.inUse);
    if (slot === undefined) slots.push((slot = { guard: this.auth.newGuard(), inUse: true }));
    slot.inUse = true;
    return slot;
  }

  private releaseGuard(key: string, slot: { inUse: boolean }, forget: boolean): void {
    slot.inUse = false;
    const slots = this.guards.get(key) as Array<{ inUse: boolean }>;
    if (forget && slots.every((other) => !other.inUse)) this.guards.delete(key);
  }

  private deliver(message: Message, handler: Handler, guard: ReplayGuard): void {
    const opened = this.auth.open(message.subject, message.data, guard);
    if (opened === undefined) return;
    const outer = this.replying;
    this.replying = message.reply === undefined ? undefined : { subject: message.reply, nonce: opened.nonce };
    try {
      handler({ ...message, data: opened.data });
    } finally {
      this.replying = outer;
    }
  }
}
