import { stepLabel } from '../distributed/chain';
import type { Bus, Message, Subscription } from '../transport/bus';
import { readCreditGrant, readResultBatch, readTaskBatch, type TaskBatch } from '../transport/protocol';
import { DEFAULT_PREFIX } from '../transport/subjects';
import type { MessageEvent, TaskEvent, TaskFeed } from './workers';

interface Sent {
  task: string;
  start: number;
  value: unknown;
}

/** Tasks sent and not answered that the feed remembers at most (the oldest are forgotten). */
const MAX_PENDING = 10_000;

/**
 * The task stream of a deployment, read off its bus: a task batch on `<prefix>.tasks.<pool>.<worker>`
 * starts a task, a result on `<prefix>.results.<segment>` ends it; credit grants on the control bus
 * (`<prefix>.credit.<segment>`) complete the messages between scatter, workers and gather. It
 * subscribes only while someone listens, so an unobserved deployment carries no extra subscriber.
 */
export class BusTaskFeed implements TaskFeed {
  private readonly taskListeners = new Set<(event: TaskEvent) => void>();
  private readonly messageListeners = new Set<(event: MessageEvent) => void>();
  private readonly sent = new Map<string, Sent>();
  private bus: Bus | undefined = undefined;
  private controlBus: Bus | undefined = undefined;
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
    if (this.listening) this.subscribe();
  }

  /** The bus credit grants travel on (a client's control bus), when it is not the task bus. */
  attachControl(bus: Bus): void {
    this.unsubscribe();
    this.controlBus = bus;
    if (this.listening) this.subscribe();
  }

  onTask(listener: (event: TaskEvent) => void): () => void {
    return this.listen(this.taskListeners, listener);
  }

  onMessage(listener: (event: MessageEvent) => void): () => void {
    return this.listen(this.messageListeners, listener);
  }

  private get listening(): boolean {
    return this.taskListeners.size + this.messageListeners.size > 0;
  }

  private listen<E>(listeners: Set<(event: E) => void>, listener: (event: E) => void): () => void {
    listeners.add(listener);
    this.subscribe();
    return () => {
      if (listeners.delete(listener) && !this.listening) this.unsubscribe();
    };
  }

  private subscribe(): void {
    const bus = this.bus;
    if (bus === undefined || this.subscriptions.length > 0 || bus.status === 'closed') return;
    this.subscriptions = [bus.subscribe(`${this.prefix}.tasks.>`, this.onTasks), bus.subscribe(`${this.prefix}.results.>`, this.onResults)];
    const control = this.controlBus ?? bus;
    if (control.status !== 'closed') this.subscriptions.push(control.subscribe(`${this.prefix}.credit.>`, this.onCredit));
  }

  private unsubscribe(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
    this.sent.clear();
  }

  private readonly onTasks = (message: Message): void => {
    const batch = parse(readTaskBatch, message.data);
    if (batch === undefined) return;
    const task = chainName(batch);
    const start = this.now();
    for (const entry of batch.tasks) {
      this.sent.set(key(batch.reply, entry.seq, entry.attempt), { task, start, value: entry.value });
      if (this.sent.size > MAX_PENDING) this.sent.delete(this.sent.keys().next().value as string);
    }
    const retries = batch.tasks.filter((entry) => entry.attempt > 0).length;
    const label = `${task} ${seqRange(batch.tasks)}${retries > 0 ? ` (${retries} re-sent)` : ''}`;
    this.tell(start, 'tasks', `scatter-${batch.pipeline}`, `worker-${lastToken(message.subject)}`, batch.pipeline, batch.tasks.length, label);
  };

  private readonly onResults = (message: Message): void => {
    const batch = parse(readResultBatch, message.data);
    if (batch === undefined) return;
    const end = this.now();
    for (const result of batch.results) {
      const id = key(message.subject, result.seq, result.attempt);
      const sent = this.sent.get(id);
      this.sent.delete(id);
      const event: TaskEvent = { worker: batch.worker, task: sent?.task ?? 'task', seq: result.seq, start: sent?.start ?? end, end, ok: result.ok };
      if (!result.ok) {
        event.task = result.task;
        event.element = sent?.value;
        event.error = `${result.error.name}: ${result.error.message}`;
      }
      for (const listener of this.taskListeners) listener(event);
    }
    const failed = batch.results.filter((result) => !result.ok).length;
    const segment = lastToken(message.subject);
    const label = `results ${seqRange(batch.results)}${failed > 0 ? ` (${failed} failed)` : ''}`;
    this.tell(end, 'results', `worker-${batch.worker}`, `gather-${segment}`, segment, batch.results.length, label);
  };

  private readonly onCredit = (message: Message): void => {
    const grant = parse(readCreditGrant, message.data);
    if (grant === undefined) return;
    const segment = lastToken(message.subject);
    this.tell(this.now(), 'credit', `gather-${segment}`, `scatter-${segment}`, segment, grant.credits, `credit +${grant.credits}`);
  };

  private tell(time: number, kind: MessageEvent['kind'], from: string, to: string, segment: string, count: number, label: string): void {
    if (this.messageListeners.size === 0) return;
    const event: MessageEvent = { time, kind, from, to, segment, count, label };
    for (const listener of this.messageListeners) listener(event);
  }
}

function key(replySubject: string, seq: number, attempt: number): string {
  return `${replySubject}#${seq}#${attempt}`;
}

function lastToken(subject: string): string {
  return subject.slice(subject.lastIndexOf('.') + 1);
}

/** `#4` or `#4..#11`. */
function seqRange(entries: ReadonlyArray<{ seq: number }>): string {
  if (entries.length === 0) return '';
  let low = entries[0].seq;
  let high = low;
  for (const { seq } of entries) {
    if (seq < low) low = seq;
    if (seq > high) high = seq;
  }
  return low === high ? `#${low}` : `#${low}..#${high}`;
}

/** `inc` or a fused chain like `inc>filter>double`. */
function chainName(batch: TaskBatch): string {
  return batch.chain.map(stepLabel).join('>');
}

/** Someone else's malformed message is that subscriber's to report; the task stream skips it. */
function parse<T>(read: (value: unknown) => T, data: unknown): T | undefined {
  try {
    return read(data);
  } catch {
    return undefined;
  }
}
