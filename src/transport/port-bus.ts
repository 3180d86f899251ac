/**
 * A Bus over a worker_threads MessagePort: a worker thread uses `PortBus`, the main thread relays
 * for it with `relayPort(bus, port)`. Messages are structured-cloned, so functions never cross.
 */
import { threadId, type MessagePort, type Worker as ThreadWorker } from 'node:worker_threads';
import { BusBase, type BusBaseOptions } from './bus-base';
import { BusClosedError, type Bus, type Handler, type Headers, type Message, type PublishOptions, type SubscribeOptions, type Subscription } from './bus';
import { checkPublishSubject, checkSubscribePattern } from './subject-pattern';
import { defaultCodec } from './codec';

type ThreadToMain =
  | { op: 'sub'; id: number; subject: string; queue: string | undefined; max: number | undefined }
  | { op: 'unsub'; id: number }
  | { op: 'pub'; subject: string; data: unknown; reply: string | undefined; headers: Headers | undefined }
  | { op: 'flush'; id: number };

/** A delivery is the message itself, tagged with the subscription it is for. */
type MainToThread = ({ op: 'msg'; id: number } & Message) | { op: 'flushed'; id: number };

type Port = Pick<MessagePort, 'postMessage' | 'on' | 'off'>;

export type PortBusOptions = BusBaseOptions;

let portBusCount = 0;

export class PortBus extends BusBase {
  private readonly handlers = new Map<number, Handler>();
  /** Per subscription with a `max`: how many more messages it takes (the main bus ends it then too). */
  private readonly remaining = new Map<number, { count: number; onEnd: (() => void) | undefined }>();
  private readonly flushes = new Map<number, () => void>();
  private nextId = 1;

  constructor(
    private readonly port: Port,
    options: PortBusOptions = {},
  ) {
    // Unique per bus: two buses sharing an inbox would settle each other's requests by id.
    super(`_INBOX.port.${process.pid}.${threadId}.${++portBusCount}.`, options, 'connected');
    port.on('message', this.onMessage);
  }

  publish(subject: string, data: unknown, options?: PublishOptions): void {
    if (this.refusing) throw new BusClosedError(`publish to '${subject}'`);
    checkPublishSubject(subject);
    defaultCodec.checkSendable(data);
    this.counters.published++;
    this.post({ op: 'pub', subject, data, reply: options?.reply, headers: options?.headers });
  }

  subscribe<T = unknown>(subject: string, handler: Handler<T>, options?: SubscribeOptions): Subscription {
    if (this.refusing) throw new BusClosedError(`subscribe to '${subject}'`);
    checkSubscribePattern(subject);
    const id = this.nextId++;
    this.handlers.set(id, handler as Handler);
    const max = options?.max;
    if (max !== undefined) this.remaining.set(id, { count: max, onEnd: options?.onEnd });
    this.post({ op: 'sub', id, subject, queue: options?.queue, max });
    return {
      subject,
      unsubscribe: () => {
        this.remaining.delete(id);
        if (this.handlers.delete(id) && !this.refusing) this.post({ op: 'unsub', id });
      },
    };
  }

  /** Resolves once the relay handled everything posted before, and the main bus flushed. */
  flush(): Promise<void> {
    if (this.refusing) return Promise.resolve();
    const id = this.nextId++;
    return new Promise<void>((resolve) => {
      this.flushes.set(id, resolve);
      this.post({ op: 'flush', id });
    });
  }

  async drain(): Promise<void> {
    await this.flush();
    await this.close();
  }

  close(): Promise<void> {
    if (this.refusing) return Promise.resolve();
    for (const id of this.handlers.keys()) this.post({ op: 'unsub', id });
    this.handlers.clear();
    this.port.off('message', this.onMessage);
    for (const resolve of this.flushes.values()) resolve();
    this.flushes.clear();
    this.markClosed();
    return Promise.resolve();
  }

  protected get refusing(): boolean {
    return this.status === 'closed';
  }

  protected subscribeInbox(): Subscription {
    return this.subscribe(`${this.inboxPrefix}*`, (reply) => this.settleReply(reply));
  }

  /** Only the main bus knows who listens, so nothing is refused up front. */
  protected refuseRequest(): undefined {
    return undefined;
  }

  private post(message: ThreadToMain): void {
    this.port.postMessage(message);
  }

  private readonly onMessage = (message: MainToThread): void => {
    if (message.op === 'flushed') {
      this.flushes.get(message.id)?.();
      this.flushes.delete(message.id);
      return;
    }
    const handler = this.handlers.get(message.id);
    if (handler === undefined) return;
    const remaining = this.remaining.get(message.id);
    if (remaining !== undefined && --remaining.count === 0) {
      this.remaining.delete(message.id);
      this.handlers.delete(message.id);
      if (remaining.onEnd !== undefined) queueMicrotask(remaining.onEnd);
    }
    this.deliverTo(handler, message);
  };
}

/** Main-thread side: subscribes and publishes on `bus` on behalf of the thread behind `port`. */
export function relayPort(bus: Bus, port: Port | ThreadWorker): () => void {
  const subscriptions = new Map<number, Subscription>();
  const post = (message: MainToThread): void => port.postMessage(message);
  const onMessage = (message: ThreadToMain): void => {
    if (message.op === 'flush') {
      // Answered even when the bus closed or the flush failed, so the thread's flush or drain never hangs.
      const answer = (): void => post({ op: 'flushed', id: message.id });
      bus.flush().then(answer, answer);
    } else if (bus.status === 'closed') {
      return;
    } else if (message.op === 'pub') {
      bus.publish(message.subject, message.data, { reply: message.reply, headers: message.headers });
    } else if (message.op === 'sub') {
      const { id } = message;
      const forward = (delivered: Message): void => post({ op: 'msg', id, subject: delivered.subject, data: delivered.data, reply: delivered.reply, headers: delivered.headers });
      subscriptions.set(id, bus.subscribe(message.subject, forward, { queue: message.queue, max: message.max }));
    } else {
      subscriptions.get(message.id)?.unsubscribe();
      subscriptions.delete(message.id);
    }
  };
  port.on('message', onMessage);
  return () => {
    port.off('message', onMessage);
    for (const subscription of subscriptions.values()) subscription.unsubscribe();
    subscriptions.clear();
  };
}
