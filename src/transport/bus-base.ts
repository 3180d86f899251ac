/**
 * What every bus shares: status and warning listeners, counters, handler calls that never let a
 * throw escape, and request/reply over one inbox subscription with replies matched by id.
 */
import { ArgumentRangeError } from '../errors';
import { systemScheduler, type Scheduler } from '../scheduler';
import {
  BusClosedError,
  type Bus,
  type BusStats,
  type BusStatus,
  type BusStatusEvent,
  type BusWarning,
  type Handler,
  type HandlerErrorListener,
  type Message,
  type PublishOptions,
  type RequestOptions,
  type SubscribeOptions,
  type Subscription,
} from './bus';
import { Listeners } from './listeners';
import { PendingRequests } from './pending-requests';

export interface BusBaseOptions {
  /** Clock for request timeouts (default: the system timers). */
  scheduler?: Scheduler;
  /** Called when a handler throws (default: print to stderr); delivery goes on. */
  onHandlerError?: HandlerErrorListener;
}

export const DEFAULT_REQUEST_TIMEOUT = 5000;

export abstract class BusBase implements Bus {
  private currentStatus: BusStatus;
  private readonly statusListeners = new Listeners<BusStatusEvent>();
  protected readonly warningListeners = new Listeners<BusWarning>();
  protected readonly counters: BusStats = {
    published: 0,
    delivered: 0,
    rejected: { malformed: 0, oversized: 0, 'too-deep': 0, 'unknown-version': 0 },
    handlerErrors: 0,
    publishedWhileDisconnected: 0,
    slowConsumers: 0,
  };
  protected readonly pending: PendingRequests;
  private inbox: Subscription | undefined = undefined;
  private readonly onHandlerError: HandlerErrorListener;

  constructor(
    /** Reply subjects are this prefix followed by the request id. */
    protected readonly inboxPrefix: string,
    options: BusBaseOptions,
    initialStatus: BusStatus,
  ) {
    this.currentStatus = initialStatus;
    this.pending = new PendingRequests(options.scheduler ?? systemScheduler);
    this.onHandlerError = options.onHandlerError ?? printHandlerError;
  }

  get status(): BusStatus {
    return this.currentStatus;
  }

  abstract publish(subject: string, data: unknown, options?: PublishOptions): void;
  abstract subscribe<T = unknown>(subject: string, handler: Handler<T>, options?: SubscribeOptions): Subscription;
  abstract flush(): Promise<void>;
  abstract drain(): Promise<void>;
  abstract close(): Promise<void>;
  /** Whether publish/subscribe/request are refused (closed, or closing). */
  protected abstract get refusing(): boolean;
  /** Subscribes to `<inboxPrefix>*`, settling `pending` as replies arrive. */
  protected abstract subscribeInbox(): Subscription;
  /** An error to fail a request with before sending it (e.g. no responders known locally). */
  protected abstract refuseRequest(subject: string): Error | undefined;

  request<T = unknown>(subject: string, data: unknown, options?: RequestOptions): Promise<T> {
    if (this.refusing) return Promise.reject(new BusClosedError(`request '${subject}'`));
    const timeout = checkPositiveTimeout(options?.timeout ?? DEFAULT_REQUEST_TIMEOUT);
    const refusal = this.refuseRequest(subject);
    if (refusal !== undefined) return Promise.reject(refusal);
    this.inbox ??= this.subscribeInbox();
    return new Promise<T>((resolve, reject) => {
      const id = this.pending.open(subject, timeout, resolve as (value: unknown) => void, reject);
      try {
        this.publish(subject, data, { reply: this.inboxPrefix + id, headers: options?.headers });
      } catch (error) {
        this.pending.reject(id, error);
      }
    });
  }

  onStatus(listener: (event: BusStatusEvent) => void): () => void {
    return this.statusListeners.add(listener);
  }

  onWarning(listener: (warning: BusWarning) => void): () => void {
    return this.warningListeners.add(listener);
  }

  stats(): BusStats {
    return { ...this.counters, rejected: { ...this.counters.rejected } };
  }

  /** Settles the request a reply on the inbox answers (a late or foreign reply is dropped). */
  protected settleReply(reply: Message): void {
    const id = this.replyId(reply.subject);
    if (id !== undefined) this.pending.resolve(id, reply.data);
  }

  /** The request id a reply subject carries, if it is one of ours. */
  protected replyId(subject: string): number | undefined {
    if (!subject.startsWith(this.inboxPrefix)) return undefined;
    const id = Number(subject.slice(this.inboxPrefix.length));
    return Number.isSafeInteger(id) && id > 0 ? id : undefined;
  }

  /** Calls a handler, counting the delivery; a throw is counted and reported, never propagated. */
  protected deliverTo(handler: Handler, message: Message): void {
    this.counters.delivered++;
    try {
      handler(message);
    } catch (error) {
      this.counters.handlerErrors++;
      this.onHandlerError(error, message);
    }
  }

  protected setStatus(status: BusStatus, detail?: string): void {
    if (this.currentStatus === 'closed' || this.currentStatus === status) return;
    this.currentStatus = status;
    this.statusListeners.emit(detail === undefined ? { status } : { status, detail });
  }

  /** Final: pending requests reject, listeners hear `closed`. */
  protected markClosed(detail?: string): void {
    if (this.currentStatus === 'closed') return;
    this.pending.rejectAll(new BusClosedError('wait for a reply'));
    this.setStatus('closed', detail);
  }
}

function checkPositiveTimeout(timeout: number): number {
  if (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout)) {
    throw new ArgumentRangeError('timeout', 'a positive finite number of milliseconds', timeout);
  }
  return timeout;
}

function printHandlerError(error: unknown, message: Message): void {
  console.error(`rivulet bus: a handler for '${message.subject}' threw`, error);
}
