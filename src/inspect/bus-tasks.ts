import type { Bus, Message, Subscription } from '../transport/bus';
import { readCapacityCredit, readCreditGrant, readResultBatch, type WireResult } from '../distributed/protocol';
import { DEFAULT_PREFIX } from '../distributed/subjects';
import type { MessageEvent, TaskEvent, TaskFeed } from './workers';

/**
 * The task stream of a deployment and the messages between scatter, workers and gather, read off
 * its buses: each result on `<prefix>.results.<segment>` says which worker ran which task for how
 * long (so the tasks it answers were sent by then), capacity credits on `<prefix>.credit.pool.<pool>`
 * say a worker has room again, and credit grants on the control bus (`<prefix>.credit.segment.<segment>`)
 * return a segment's credits. It never listens on the task subject: a plain subscriber there would
 * answer for the pool's empty queue group. It subscribes only while someone listens, so an
 * unobserved deployment carries no extra subscriber.
 */
export class BusTaskFeed implements TaskFeed {
  private readonly taskListeners = new Set<(event: TaskEvent) => void>();
  private readonly messageListeners = new Set<(event: MessageEvent) => void>();
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
    this.subscriptions = [bus.subscribe(`${this.prefix}.results.>`, this.onResults), bus.subscribe(`${this.prefix}.credit.pool.*`, this.onCapacity)];
    const control = this.controlBus ?? bus;
    if (control.status !== 'closed') this.subscriptions.push(control.subscribe(`${this.prefix}.credit.segment.*`, this.onCredit));
  }

  private unsubscribe(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
  }

  private readonly onResults = (message: Message): void => {
    const batch = parse(readResultBatch, message.data);
    if (batch === undefined) return;
    const end = this.now();
    let start = end;
    for (const result of batch.results) {
      const event: TaskEvent = { worker: batch.worker, task: result.task ?? 'task', seq: result.seq, start: end - (result.ms ?? 0), end, ok: result.ok };
      if (!result.ok) event.error = `${result.error.name}: ${result.error.message}`;
      if (event.start < start) start = event.start;
      for (const listener of this.taskListeners) listener(event);
    }
    const segment = lastToken(message.subject);
    const retries = batch.results.filter((result) => result.attempt > 0).length;
    const failed = batch.results.filter((result) => !result.ok).length;
    const task = batch.results[0]?.task ?? 'task';
    this.tell(start, 'tasks', `scatter-${segment}`, `worker-${batch.worker}`, segment, batch.results.length, `${task} ${seqRange(batch.results)}${retries > 0 ? ` (${retries} re-sent)` : ''}`);
    this.tell(end, 'results', `worker-${batch.worker}`, `gather-${segment}`, segment, batch.results.length, `results ${seqRange(batch.results)}${failed > 0 ? ` (${failed} failed)` : ''}`);
  };

  private readonly onCapacity = (message: Message): void => {
    const credit = parse(readCapacityCredit, message.data);
    if (credit !== undefined) this.tell(this.now(), 'credit', `worker-${credit.worker}`, 'scatter', lastToken(message.subject), credit.free, `capacity +${credit.free}`);
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

function lastToken(subject: string): string {
  return subject.slice(subject.lastIndexOf('.') + 1);
}

/** `#4` or `#4..#11`. */
function seqRange(entries: ReadonlyArray<Pick<WireResult, 'seq'>>): string {
  if (entries.length === 0) return '';
  let low = entries[0].seq;
  let high = low;
  for (const { seq } of entries) {
    if (seq < low) low = seq;
    if (seq > high) high = seq;
  }
  return low === high ? `#${low}` : `#${low}..#${high}`;
}

/** Someone else's malformed message is that subscriber's to report; the task stream skips it. */
function parse<T>(read: (value: unknown) => T, data: unknown): T | undefined {
  try {
    return read(data);
  } catch {
    return undefined;
  }
}
