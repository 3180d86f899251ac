import type { Bus, Subscription } from '../transport/bus';
import { readResultBatch, readTaskBatch, type StepSpec, type TaskBatch } from '../transport/protocol';
import { DEFAULT_PREFIX } from '../transport/subjects';
import type { TaskEvent, TaskFeed } from './workers';

interface Sent {
  task: string;
  start: number;
  value: unknown;
}

/** Tasks sent and not answered that the feed remembers at most (the oldest are forgotten). */
const MAX_PENDING = 10_000;

/**
 * The task stream of a deployment, read off its bus: a task batch on `<prefix>.tasks.<pool>.<worker>`
 * starts a task, a result on `<prefix>.results.<pipeline>` ends it. It subscribes only while
 * someone listens, so an unobserved deployment carries no extra subscriber.
 */
export class BusTaskFeed implements TaskFeed {
  private readonly listeners = new Set<(event: TaskEvent) => void>();
  private readonly sent = new Map<string, Sent>();
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
    this.subscriptions = [
      bus.subscribe(`${this.prefix}.tasks.>`, (message) => this.onTasks(message.data)),
      bus.subscribe(`${this.prefix}.results.>`, (message) => this.onResults(message.subject, message.data)),
    ];
  }

  private unsubscribe(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
    this.sent.clear();
  }

  private onTasks(data: unknown): void {
    const batch = parse(readTaskBatch, data);
    if (batch === undefined) return;
    const task = chainName(batch);
    const start = this.now();
    for (const entry of batch.tasks) {
      this.sent.set(key(batch.reply, entry.seq, entry.attempt), { task, start, value: entry.value });
      if (this.sent.size > MAX_PENDING) this.sent.delete(this.sent.keys().next().value as string);
    }
  }

  private onResults(subject: string, data: unknown): void {
    const batch = parse(readResultBatch, data);
    if (batch === undefined) return;
    const end = this.now();
    for (const result of batch.results) {
      const id = key(subject, result.seq, result.attempt);
      const sent = this.sent.get(id);
      this.sent.delete(id);
      const event: TaskEvent = { worker: batch.worker, task: sent?.task ?? 'task', seq: result.seq, start: sent?.start ?? end, end, ok: result.ok };
      if (!result.ok) {
        event.task = result.task;
        event.element = sent?.value;
        event.error = `${result.error.name}: ${result.error.message}`;
      }
      for (const listener of this.listeners) listener(event);
    }
  }
}

function key(replySubject: string, seq: number, attempt: number): string {
  return `${replySubject}#${seq}#${attempt}`;
}

/** `inc` or a fused chain like `inc>filter>double`. */
function chainName(batch: TaskBatch): string {
  return batch.chain.map((step: StepSpec) => step.task ?? step.op).join('>');
}

/** Someone else's malformed message is that subscriber's to report; the task stream skips it. */
function parse<T>(read: (value: unknown) => T, data: unknown): T | undefined {
  try {
    return read(data);
  } catch {
    return undefined;
  }
}
