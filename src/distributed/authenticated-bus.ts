/**
 * A bus whose every message is sealed with the cluster secret (`MessageAuth`): what a handler or
 * a request receives was sent by a holder of the secret, unaltered, recently and once. Refused
 * messages never reach a handler; a refused reply rejects its request. A handler's synchronous
 * reply to a request (a task acknowledgement, a ping answer) is bound to that request.
 */
import type { Bus, BusStats, BusStatus, BusStatusEvent, BusWarning, Handler, Message, PublishOptions, RequestOptions, SubscribeOptions, Subscription } from '../transport/bus';
import { REPLY_CONTEXT, type MessageAuth } from './message-auth';

interface Replying {
  readonly subject: string;
  readonly nonce: string;
}

export class AuthenticatedBus implements Bus {
  /** The request whose handler runs now: a publish to its reply subject answers it. */
  private replying: Replying | undefined = undefined;

  constructor(
    readonly inner: Bus,
    readonly auth: MessageAuth,
  ) {}

  get status(): BusStatus {
    return this.inner.status;
  }

  publish(subject: string, data: unknown, options?: PublishOptions): void {
    const replying = this.replying;
    const sealed = replying?.subject === subject ? this.auth.seal(REPLY_CONTEXT, data, replying.nonce) : this.auth.seal(subject, data);
    this.inner.publish(subject, sealed.frame, options);
  }

  subscribe<T = unknown>(subject: string, handler: Handler<T>, options?: SubscribeOptions): Subscription {
    return this.inner.subscribe(subject, (message) => this.deliver(message, handler as Handler), options);
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

  private deliver(message: Message, handler: Handler): void {
    const opened = this.auth.open(message.subject, message.data);
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
