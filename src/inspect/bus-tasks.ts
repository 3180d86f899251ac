import type { Bus, Subscription } from '../transport/bus';
import { readResultBatch } from '../distributed/protocol';
import { DEFAULT_PREFIX } from '../distributed/subjects';
import type { TaskEvent, TaskFeed } from './workers';

/**
 * The task stream of a deployment, read off its bus: each result on `<prefix>.results.<pipeline>`
 * says which worker ran which task for how long. It never listens on the task subject (a plain
 * subscriber there would answer for the pool's empty queue group), and it subscribes only while
 * someone listens, so an unobserved deployment carries no extra subscriber.
 */
export class BusTaskFeed implements TaskFeed {
  private readonly listeners = new Set<(event: TaskEvent) => void>();
  private bus: Bus | undefined = undefined;
  private subscriptions: Subscription[] = [];

  constructor(
    private prefix: string = DEFAULT_PREFIX,
    private readonly now: () => number = Date.now,
  ) {}

  /** The bus to read (a client's task bus once connected), and the deployment's subject prefix. */
  attach(bus: Bus, prefix: string = this.prefix): void {
    this.unsubscribe();
    this.bus = bus;
    this.prefix = prefix;
    if (this.listeners.size > 0) this.subscribe();
  }

  onTask(listener: (event: TaskEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.subscribe();
    return () => {
      if (this.listeners.delete(listener) && this.listeners.size === 0) this.unsubscribe();
    };
  }

  private subscribe(): void {
    const bus = this.bus;
    if (bus === undefined || this.subscriptions.length > 0 || bus.status === 'closed') return;
    this.subscriptions = [bus.subscribe(`${this.prefix}.results.>`, (message) => this.onResults(message.data))];
  }

  private unsubscribe(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
  }

  private onResults(data: unknown): void {
    const batch = parse(readResultBatch, data);
    if (batch === undefined) return;
    const end = this.now();
    for (const result of batch.results) {
      const event: TaskEvent = { worker: batch.worker, task: result.task ?? 'task', seq: result.seq, start: end - (result.ms ?? 0), end, ok: result.ok };
      if (!result.ok) event.error = `${result.error.name}: ${result.error.message}`;
      for (const listener of this.listeners) listener(event);
    }
  }
}

/** Someone else's malformed message is that subscriber's to report; the task stream skips it. */
function parse<T>(read: (value: unknown) => T, data: unknown): T | undefined {
  try {
    return read(data);
  } catch {
    return undefined;
  }
}
