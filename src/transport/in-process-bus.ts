/**
 * The embedded bus: NATS subject semantics inside one process, with no serialization. Messages
 * are handed to handlers by reference (handlers must not mutate them). Dispatch is synchronous:
 * `publish` returns after every handler ran; a message published from inside a handler is queued
 * and delivered once the current one reached all its subscribers, so every subscriber sees each
 * publisher's messages in publish order.
 */
import { systemScheduler, type Scheduler } from '../scheduler';
import { checkPositiveTimeout, DEFAULT_REQUEST_TIMEOUT, printHandlerError, replyId } from './bus-support';
import {
  BusClosedError,
  NoRespondersError,
  type Bus,
  type BusStats,
  type BusStatus,
  type BusStatusEvent,
  type Handler,
  type HandlerErrorListener,
  type Message,
  type PublishOptions,
  type RequestOptions,
  type SubscribeOptions,
  type Subscription,
} from './bus';
import { PendingRequests } from './pending-requests';
import { StatusListeners } from './status-listeners';
import { checkPublishSubject, checkSubscribePattern, subjectMatches } from './subject-pattern';

export interface InProcessBusOptions {
  /** Clock for request timeouts (default: the system timers). */
  scheduler?: Scheduler;
  /** Called when a handler throws; delivery to the other handlers goes on. */
  onHandlerError?: HandlerErrorListener;
}

interface Entry {
  readonly pattern: string;
  readonly handler: Handler;
  readonly queue: string | undefined;
  active: boolean;
}

/** Who receives a message on one subject: every plain subscriber, one member of each queue group. */
interface Route {
  readonly plain: Entry[];
  readonly groups: Entry[][];
  readonly cursors: number[];
}

/** Beyond this many distinct subjects the route cache starts over (bounds memory). */
const ROUTE_CACHE_LIMIT = 10_000;

let busCount = 0;

export class InProcessBus implements Bus {
  private readonly entries: Entry[] = [];
  private readonly routes = new Map<string, Route>();
  private readonly backlog: Message[] = [];
  private dispatching = false;
  private readonly statusListeners = new StatusListeners('connected');
  private readonly pending: PendingRequests;
  private readonly inboxPrefix = `_INBOX.inproc${++busCount}.`;
  private inbox: Subscription | undefined = undefined;
  private readonly onHandlerError: HandlerErrorListener;
  private readonly counters: BusStats = {
    published: 0,
    delivered: 0,
    rejected: { malformed: 0, oversized: 0, 'too-deep': 0, 'unknown-version': 0 },
    handlerErrors: 0,
  };

  constructor(options: InProcessBusOptions = {}) {
    this.pending = new PendingRequests(options.scheduler ?? systemScheduler);
    this.onHandlerError = options.onHandlerError ?? printHandlerError;
  }

  get status(): BusStatus {
    return this.statusListeners.current;
  }

  publish(subject: string, data: unknown, options?: PublishOptions): void {
    if (this.status === 'closed') throw new BusClosedError(`publish to '${subject}'`);
    const route = this.routeFor(subject);
    this.counters.published++;
    const message: Message = { subject, data, reply: options?.reply, headers: options?.headers };
    if (route.plain.length === 0 && route.groups.length === 0) return;
    if (this.dispatching) {
      this.backlog.push(message);
      return;
    }
    this.dispatchFrom(message, route);
  }

  subscribe<T = unknown>(subject: string, handler: Handler<T>, options?: SubscribeOptions): Subscription {
    if (this.status === 'closed') throw new BusClosedError(`subscribe to '${subject}'`);
    checkSubscribePattern(subject);
    const entry: Entry = { pattern: subject, handler: handler as Handler, queue: options?.queue, active: true };
    this.entries.push(entry);
    this.routes.clear();
    return {
      subject,
      unsubscribe: () => this.remove(entry),
    };
  }

  request<T = unknown>(subject: string, data: unknown, options?: RequestOptions): Promise<T> {
    if (this.status === 'closed') return Promise.reject(new BusClosedError(`request '${subject}'`));
    const timeout = checkPositiveTimeout(options?.timeout ?? DEFAULT_REQUEST_TIMEOUT);
    const route = this.routeFor(subject);
    if (route.plain.length === 0 && route.groups.length === 0) {
      return Promise.reject(new NoRespondersError(subject));
    }
    this.inbox ??= this.subscribe(`${this.inboxPrefix}*`, (reply) => this.settle(reply));
    return new Promise<T>((resolve, reject) => {
      const id = this.pending.open(subject, timeout, resolve as (value: unknown) => void, reject);
      this.publish(subject, data, { reply: this.inboxPrefix + id, headers: options?.headers });
    });
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Everything published was delivered synchronously, so draining is closing. */
  drain(): Promise<void> {
    return this.close();
  }

  close(): Promise<void> {
    if (this.status === 'closed') return Promise.resolve();
    for (const entry of this.entries) entry.active = false;
    this.entries.length = 0;
    this.routes.clear();
    this.backlog.length = 0;
    this.pending.rejectAll(new BusClosedError('wait for a reply'));
    this.statusListeners.set('closed');
    return Promise.resolve();
  }

  onStatus(listener: (event: BusStatusEvent) => void): () => void {
    return this.statusListeners.add(listener);
  }

  stats(): BusStats {
    return { ...this.counters, rejected: { ...this.counters.rejected } };
  }

  private settle(reply: Message): void {
    const id = replyId(reply.subject, this.inboxPrefix);
    if (id !== undefined) this.pending.resolve(id, reply.data);
  }

  private remove(entry: Entry): void {
    if (!entry.active) return;
    entry.active = false;
    const index = this.entries.indexOf(entry);
    if (index >= 0) this.entries.splice(index, 1);
    this.routes.clear();
  }

  private routeFor(subject: string): Route {
    let route = this.routes.get(subject);
    if (route === undefined) {
      checkPublishSubject(subject);
      route = this.buildRoute(subject);
      if (this.routes.size >= ROUTE_CACHE_LIMIT) this.routes.clear();
      this.routes.set(subject, route);
    }
    return route;
  }

  private buildRoute(subject: string): Route {
    const plain: Entry[] = [];
    const byQueue = new Map<string, Entry[]>();
    for (const entry of this.entries) {
      if (!subjectMatches(entry.pattern, subject)) continue;
      if (entry.queue === undefined) plain.push(entry);
      else byQueue.set(entry.queue, [...(byQueue.get(entry.queue) ?? []), entry]);
    }
    const groups = [...byQueue.values()];
    return { plain, groups, cursors: groups.map(() => 0) };
  }

  private dispatchFrom(first: Message, route: Route): void {
    this.dispatching = true;
    try {
      this.deliver(first, route);
      for (let i = 0; i < this.backlog.length; i++) {
        const message = this.backlog[i];
        this.deliver(message, this.routeFor(message.subject));
      }
    } finally {
      this.backlog.length = 0;
      this.dispatching = false;
    }
  }

  private deliver(message: Message, route: Route): void {
    for (const entry of route.plain) this.call(entry, message);
    for (let g = 0; g < route.groups.length; g++) {
      const members = route.groups[g];
      const member = this.nextActiveMember(members, route.cursors, g);
      if (member !== undefined) this.call(member, message);
    }
  }

  /** Round-robin over the group's members that are still subscribed. */
  private nextActiveMember(members: Entry[], cursors: number[], group: number): Entry | undefined {
    for (let tries = 0; tries < members.length; tries++) {
      const member = members[cursors[group] % members.length];
      cursors[group] = (cursors[group] + 1) % members.length;
      if (member.active) return member;
    }
    return undefined;
  }

  private call(entry: Entry, message: Message): void {
    if (!entry.active) return;
    this.counters.delivered++;
    try {
      entry.handler(message);
    } catch (error) {
      this.counters.handlerErrors++;
      this.onHandlerError(error, message);
    }
  }
}
