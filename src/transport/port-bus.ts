/**
 * A Bus over a worker_threads MessagePort: a worker thread uses `PortBus`, the main thread relays
 * for it with `relayPort(bus, port)`. Messages are structured-cloned, so functions never cross.
 */
import type { MessagePort, Worker as ThreadWorker } from 'node:worker_threads';
import { BusClosedError, type Bus, type BusStats, type BusStatus, type BusStatusEvent, type Handler, type Message, type PublishOptions, type RequestOptions, type SubscribeOptions, type Subscription } from './bus';

type ThreadToMain =
  | { op: 'sub'; id: number; subject: string; queue?: string }
  | { op: 'unsub'; id: number }
  | { op: 'pub'; subject: string; data: unknown; reply?: string };

interface MainToThread {
  op: 'msg';
  id: number;
  subject: string;
  data: unknown;
  reply?: string;
}

type Port = Pick<MessagePort, 'postMessage' | 'on' | 'off'>;

export class PortBus implements Bus {
  private readonly handlers = new Map<number, Handler>();
  private nextId = 1;
  private current: BusStatus = 'connected';
  private readonly statusListeners = new Set<(event: BusStatusEvent) => void>();
  private readonly counters = { published: 0, delivered: 0 };

  constructor(private readonly port: MessagePort) {
    port.on('message', this.onMessage);
  }

  get status(): BusStatus {
    return this.current;
  }

  publish(subject: string, data: unknown, options?: PublishOptions): void {
    if (this.current === 'closed') throw new BusClosedError(`publish to '${subject}'`);
    this.counters.published++;
    this.post({ op: 'pub', subject, data, reply: options?.reply });
  }

  subscribe<T = unknown>(subject: string, handler: Handler<T>, options?: SubscribeOptions): Subscription {
    if (this.current === 'closed') throw new BusClosedError(`subscribe to '${subject}'`);
    const id = this.nextId++;
    this.handlers.set(id, handler as Handler);
    this.post({ op: 'sub', id, subject, queue: options?.queue });
    return {
      subject,
      unsubscribe: () => {
        if (this.handlers.delete(id) && this.current !== 'closed') this.post({ op: 'unsub', id });
      },
    };
  }

  request<T = unknown>(subject: string, data: unknown, options?: RequestOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const inbox = `_INBOX.port.${process.pid}.${this.nextId}`;
      const timer = setTimeout(() => {
        subscription.unsubscribe();
        reject(new Error(`request '${subject}' timed out`));
      }, options?.timeout ?? 5000);
      const subscription = this.subscribe(inbox, (message) => {
        clearTimeout(timer);
        subscription.unsubscribe();
        resolve(message.data as T);
      });
      this.publish(subject, data, { reply: inbox });
    });
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  drain(): Promise<void> {
    return this.close();
  }

  close(): Promise<void> {
    if (this.current === 'closed') return Promise.resolve();
    for (const id of this.handlers.keys()) this.post({ op: 'unsub', id });
    this.handlers.clear();
    this.port.off('message', this.onMessage);
    this.current = 'closed';
    for (const listener of this.statusListeners) listener({ status: 'closed' });
    return Promise.resolve();
  }

  onStatus(listener: (event: BusStatusEvent) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  stats(): BusStats {
    return {
      ...this.counters,
      rejected: { malformed: 0, oversized: 0, 'too-deep': 0, 'unknown-version': 0 },
      handlerErrors: 0,
      publishedWhileDisconnected: 0,
      slowConsumers: 0,
    };
  }

  private post(message: ThreadToMain): void {
    this.port.postMessage(message);
  }

  private readonly onMessage = (message: MainToThread): void => {
    const handler = this.handlers.get(message.id);
    if (handler === undefined) return;
    this.counters.delivered++;
    const delivered: Message = { subject: message.subject, data: message.data, reply: message.reply };
    handler(delivered);
  };
}

/** Main-thread side: subscribes and publishes on `bus` on behalf of the thread behind `port`. */
export function relayPort(bus: Bus, port: Port | ThreadWorker): () => void {
  const subscriptions = new Map<number, Subscription>();
  const onMessage = (message: ThreadToMain): void => {
    if (bus.status === 'closed') return;
    if (message.op === 'pub') {
      bus.publish(message.subject, message.data, { reply: message.reply });
    } else if (message.op === 'sub') {
      const { id } = message;
      const forward = (delivered: Message): void => {
        const out: MainToThread = { op: 'msg', id, subject: delivered.subject, data: delivered.data, reply: delivered.reply };
        port.postMessage(out);
      };
      subscriptions.set(id, bus.subscribe(message.subject, forward, { queue: message.queue }));
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
