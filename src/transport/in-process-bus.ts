/**
 * The embedded bus: NATS subject semantics inside one process, with no serialization. Messages
 * are handed to handlers by reference (handlers must not mutate them). Dispatch is synchronous:
 * `publish` returns after every handler ran; a message published from inside a handler is queued
 * and delivered once the current one reached all its subscribers, so every subscriber sees each
 * publisher's messages in publish order.
 */
import { BusBase, type BusBaseOptions } from './bus-base';
import { BusClosedError, NoRespondersError, type Handler, type Message, type PublishOptions, type SubscribeOptions, type Subscription } from './bus';
import { checkPublishSubject, checkSubscribePattern, subjectMatches } from './subject-pattern';

export interface InProcessBusOptions extends BusBaseOptions {
  /** Called with every published message's data; throws to refuse it (e.g. what a relay to threads could not clone). */
  checkData?: (data: unknown) => void;
}

interface Entry {
  readonly pattern: string;
  readonly handler: Handler;
  readonly queue: string | undefined;
  active: boolean;
  /** Messages it takes before it ends (NATS auto-unsubscribe). */
  readonly max: number;
  delivered: number;
  readonly onEnd: (() => void) | undefined;
}

interface QueueGroup {
  readonly name: string;
  readonly members: Entry[];
}

/** Who receives a message on one subject: every plain subscriber, one member of each queue group. */
interface Route {
  readonly plain: Entry[];
  readonly groups: QueueGroup[];
}

/** Beyond this many distinct subjects the route cache starts over (bounds memory). */
const ROUTE_CACHE_LIMIT = 10_000;

let busCount = 0;

export class InProcessBus extends BusBase {
  private readonly entries: Entry[] = [];
  private readonly routes = new Map<string, Route>();
  /** The one route every reply to this bus's requests takes, while no subscription tells ids apart. */
  private replyRoute: Route | undefined = undefined;
  private readonly backlog: Message[] = [];
  private dispatching = false;
  /** Per queue group name, which member's turn it is (kept when routes are rebuilt). */
  private readonly turns = new Map<string, number>();

  private readonly checkData: ((data: unknown) => void) | undefined;

  constructor(options: InProcessBusOptions = {}) {
    super(`_INBOX.inproc${++busCount}.`, options, 'connected');
    this.checkData = options.checkData;
  }

  publish(subject: string, data: unknown, options?: PublishOptions): void {
    if (this.refusing) throw new BusClosedError(`publish to '${subject}'`);
    this.checkData?.(data);
    const route = this.routeFor(subject);
    this.counters.published++;
    if (route.plain.length === 0 && route.groups.length === 0) return;
    const message: Message = { subject, data, reply: options?.reply, headers: options?.headers };
    if (this.dispatching) {
      this.backlog.push(message);
      return;
    }
    this.dispatchFrom(message, route);
  }

  subscribe<T = unknown>(subject: string, handler: Handler<T>, options?: SubscribeOptions): Subscription {
    if (this.refusing) throw new BusClosedError(`subscribe to '${subject}'`);
    checkSubscribePattern(subject);
    const entry: Entry = { pattern: subject, handler: handler as Handler, queue: options?.queue, active: true, max: options?.max ?? Infinity, delivered: 0, onEnd: options?.onEnd };
    this.entries.push(entry);
    this.forgetRoutes();
    return {
      subject,
      unsubscribe: () => this.remove(entry),
    };
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
    this.forgetRoutes();
    this.backlog.length = 0;
    this.markClosed();
    return Promise.resolve();
  }

  protected get refusing(): boolean {
    return this.status === 'closed';
  }

  protected refuseRequest(subject: string): Error | undefined {
    const route = this.routeFor(subject);
    return route.plain.length === 0 && route.groups.length === 0 ? new NoRespondersError(subject) : undefined;
  }

  protected subscribeInbox(): Subscription {
    return this.subscribe(`${this.inboxPrefix}*`, (reply) => this.settleReply(reply));
  }

  private remove(entry: Entry): void {
    if (!entry.active) return;
    entry.active = false;
    const index = this.entries.indexOf(entry);
    if (index >= 0) this.entries.splice(index, 1);
    this.forgetRoutes();
  }

  private forgetRoutes(): void {
    this.routes.clear();
    this.replyRoute = undefined;
  }

  /** Replies have a new subject each; they share one route instead of filling the cache. */
  private isReplySubject(subject: string): boolean {
    return subject.length > this.inboxPrefix.length && subject.startsWith(this.inboxPrefix) && subject.indexOf('.', this.inboxPrefix.length) < 0;
  }

  private routeFor(subject: string): Route {
    if (this.replyRoute !== undefined && this.isReplySubject(subject)) return this.replyRoute;
    let route = this.routes.get(subject);
    if (route === undefined) {
      checkPublishSubject(subject);
      route = this.buildRoute(subject);
      if (this.isReplySubject(subject) && this.sharesReplyRoute(route)) {
        this.replyRoute = route;
        return route;
      }
      if (this.routes.size >= ROUTE_CACHE_LIMIT) this.routes.clear();
      this.routes.set(subject, route);
    }
    return route;
  }

  /** True unless some subscription names one reply subject literally. */
  private sharesReplyRoute(route: Route): boolean {
    const wildcardLast = (entry: Entry): boolean => entry.pattern.endsWith('.*') || entry.pattern.endsWith('>');
    return route.plain.every(wildcardLast) && route.groups.every((group) => group.members.every(wildcardLast));
  }

  private buildRoute(subject: string): Route {
    const plain: Entry[] = [];
    const byQueue = new Map<string, Entry[]>();
    for (const entry of this.entries) {
      if (!subjectMatches(entry.pattern, subject)) continue;
      if (entry.queue === undefined) plain.push(entry);
      else byQueue.set(entry.queue, [...(byQueue.get(entry.queue) ?? []), entry]);
    }
    return { plain, groups: [...byQueue].map(([name, members]) => ({ name, members })) };
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
    for (const group of route.groups) {
      const member = this.nextActiveMember(group);
      if (member !== undefined) this.call(member, message);
    }
  }

  /** Round-robin over the group's members that are still subscribed. */
  private nextActiveMember(group: QueueGroup): Entry | undefined {
    const { name, members } = group;
    let turn = this.turns.get(name) ?? 0;
    for (let tries = 0; tries < members.length; tries++) {
      const member = members[turn++ % members.length];
      if (member.active) {
        this.turns.set(name, turn % members.length);
        return member;
      }
    }
    return undefined;
  }

  private call(entry: Entry, message: Message): void {
    if (!entry.active) return;
    if (++entry.delivered >= entry.max) {
      this.remove(entry);
      if (entry.onEnd !== undefined) queueMicrotask(entry.onEnd);
    }
    this.deliverTo(entry.handler, message);
  }
}
