/**
 * Actors of other processes (workers over NATS), so that one inspector shows the whole deployment.
 * While someone inspects, it asks every worker to report on `<prefix>.control.inspect` (every
 * `interval` ms, for a lease of three intervals) and listens on `<prefix>.inspect.*`; unobserved,
 * it neither asks nor listens. A worker that stopped, or was not heard for `goneAfter` ms (it
 * answers every ask), is shown as gone until forgotten.
 */
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import type { Bus, Message, Subscription } from '../transport/bus';
import { readActorReport, type ActorReport } from '../distributed/inspect-protocol';
import { PROTOCOL_VERSION } from '../distributed/protocol';
import { DEFAULT_PREFIX, Subjects } from '../distributed/subjects';
import type { ActorView, TimelineEntry } from './actors';
import type { MachineGraph } from './machines';

/** One actor of another process, as last reported. */
export interface RemoteActor {
  view: ActorView;
  timeline: TimelineEntry[];
  /** Its machine, once a report carried it. */
  machine?: MachineGraph;
}

/** Where the inspector hears of actors of other processes. */
export interface RemoteActorFeed {
  /** Starts asking and listening; returns the function that stops (when no one else watches). */
  watch(): () => void;
  /** Every remote actor heard of and not forgotten, gone ones included. */
  actors(): RemoteActor[];
}

export interface RemoteActorOptions {
  /** Milliseconds between two asks (default 1000). */
  interval?: number;
  /** Milliseconds without a report after which an actor is shown as gone (default three intervals). */
  goneAfter?: number;
  /** Milliseconds after which a gone actor is no longer listed (default 300 000). */
  forgetAfter?: number;
  /** Remote actors kept at most (default 500; the longest silent go first). */
  limit?: number;
  now?: () => number;
}

interface Heard {
  report: ActorReport;
  machine: MachineGraph | undefined;
  /** Epoch milliseconds (this process's clock) it was last heard. */
  heard: number;
}

/** A `RemoteActorFeed` read off a deployment's bus. */
export class BusRemoteActors implements RemoteActorFeed {
  private readonly interval: number;
  private readonly goneAfter: number;
  private readonly forgetAfter: number;
  private readonly limit: number;
  private readonly now: () => number;
  private readonly heard = new Map<string, Heard>();
  private bus: Bus | undefined = undefined;
  private watchers = 0;
  private subscription: Subscription | undefined = undefined;
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private prefix: string = DEFAULT_PREFIX,
    options: RemoteActorOptions = {},
  ) {
    this.interval = options.interval ?? 1000;
    this.goneAfter = options.goneAfter ?? 3 * this.interval;
    this.forgetAfter = options.forgetAfter ?? 300_000;
    this.limit = options.limit ?? 500;
    this.now = options.now ?? Date.now;
  }

  /** The bus to read (a client's task bus once connected) and the deployment's subject prefix. */
  attach(bus: Bus, prefix: string = this.prefix): void {
    this.stop();
    this.bus = bus;
    this.prefix = prefix;
    if (this.watchers > 0) this.start();
  }

  watch(): () => void {
    if (++this.watchers === 1) this.start();
    let watching = true;
    return () => {
      if (!watching) return;
      watching = false;
      if (--this.watchers === 0) this.stop();
    };
  }

  actors(): RemoteActor[] {
    const now = this.now();
    const actors: RemoteActor[] = [];
    for (const [id, { report, machine, heard }] of this.heard) {
      const gone = report.status === 'done' || now - heard > this.goneAfter;
      if (gone && now - heard > this.forgetAfter) this.heard.delete(id);
      else actors.push({ view: viewOf(report, gone), timeline: [...report.timeline], ...(machine === undefined ? {} : { machine }) });
    }
    return actors;
  }

  private start(): void {
    const bus = this.bus;
    if (bus === undefined || this.subscription !== undefined || bus.status === 'closed') return;
    const subjects = new Subjects(this.prefix);
    this.subscription = bus.subscribe(subjects.inspect('*'), this.onReport);
    const ask = (): void => {
      try {
        bus.publish(subjects.inspectWatch, { v: PROTOCOL_VERSION, lease: 3 * this.interval });
      } catch {
        // A closing connection: the reports stop, and the workers are shown as gone.
      }
    };
    ask();
    this.timer = setInterval(ask, this.interval);
    this.timer.unref();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private readonly onReport = (message: Message): void => {
    let report: ActorReport;
    try {
      report = readActorReport(message.data);
    } catch {
      return; // someone else's malformed message: the inspector shows what it can read
    }
    // This process's own actors (an embedded worker) are inspected directly.
    if (report.pid === process.pid && report.thread === threadId && report.host === hostname()) return;
    const before = this.heard.get(report.actor);
    this.heard.delete(report.actor);
    this.heard.set(report.actor, { report, machine: report.graph ?? before?.machine, heard: this.now() });
    if (this.heard.size > this.limit) this.heard.delete(this.heard.keys().next().value as string);
  };
}

function viewOf(report: ActorReport, gone: boolean): ActorView {
  const view: ActorView = {
    id: report.actor,
    sessionId: `${report.host}:${report.pid}:${report.thread}:${report.actor}`,
    name: report.actor,
    machine: report.machine,
    state: report.state,
    events: report.events,
    updated: report.updated,
    remote: { host: report.host, pid: report.pid, thread: report.thread, gone },
  };
  if (report.lastEvent !== undefined) view.lastEvent = report.lastEvent;
  return view;
}
