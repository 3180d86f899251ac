/**
 * A worker's actor as inspectors in other processes see it: it folds the actor's inspection
 * events into a view and a short timeline (cheap: the worker's actor moves only when its load level
 * changes), and publishes them on `<prefix>.inspect.<worker>` only while an inspector asks (see
 * `inspect-protocol.ts`): at most one report per `REPORT_GAP` ms, however often it is asked.
 */
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import type { AnyStateMachine, InspectionEvent } from 'xstate';
import { stateOf, TIMELINE_LENGTH, type TimelineEntry } from '../../inspect/actors';
import { machineGraph, type MachineGraph } from '../../inspect/machines';
import type { Bus, Subscription } from '../../transport/bus';
import { readInspectWatch, type ActorOrigin, type ActorReport } from '../inspect-protocol';
import { PROTOCOL_VERSION } from '../protocol';
import type { Subjects } from '../subjects';

/** Milliseconds between two reports (a busy worker can change level per task; several inspectors ask). */
export const REPORT_GAP = 100;

export class InspectPublisher {
  private readonly actorId: string;
  private machine = 'actor';
  private state = 'created';
  private events = 0;
  private lastEvent: string | undefined = undefined;
  private updated = 0;
  private readonly timeline = new RecentTransitions(TIMELINE_LENGTH);
  private readonly origin: ActorOrigin = { host: hostname(), pid: process.pid, thread: threadId };
  private graph: MachineGraph | undefined = undefined;
  private status: ActorReport['status'] = 'active';
  private bus: Bus | undefined = undefined;
  private subscription: Subscription | undefined = undefined;
  private watchedUntil = 0;
  private lastReport = 0;
  /** An inspector asked since the last report: the next one carries the machine. */
  private asked = false;
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly workerId: string,
    private readonly subjects: Subjects,
    private readonly now: () => number = Date.now,
  ) {
    this.actorId = `worker-${workerId}`;
  }

  /**
   * The worker actor's `inspect` callback (given before it starts, so that its first state is
   * seen). It runs on every transition, inspected or not, so it allocates nothing: an actor
   * registry's timeline (a new entry, and a spliced array once full) cost 15% of the transition.
   */
  readonly record = (event: InspectionEvent): void => {
    const ref = event.actorRef as typeof event.actorRef & { id?: unknown; logic?: unknown };
    if (ref.id !== this.actorId) return;
    if (event.type === '@xstate.event') {
      this.events++;
      this.lastEvent = event.event.type;
    } else if (event.type === '@xstate.snapshot') {
      this.state = stateOf(event.snapshot);
      this.status = (event.snapshot as { status?: unknown }).status === 'active' ? 'active' : 'done';
      this.updated = this.now();
      this.timeline.add(this.updated, event.event.type, this.state);
      this.reportSoon();
    } else if (event.type === '@xstate.actor') {
      const logic = ref.logic as AnyStateMachine;
      this.machine = logic.id;
      this.graph = machineGraph(logic);
    }
  };

  /** Answers inspectors' asks on `bus` from now on. */
  attach(bus: Bus): void {
    this.bus = bus;
    this.subscription = bus.subscribe(this.subjects.inspectWatch, (message) => this.onWatch(message.data));
  }

  /** Tells a watching inspector the last state at once (a stopped worker), then stops answering. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.watched) this.publish();
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private get watched(): boolean {
    return this.now() < this.watchedUntil;
  }

  private onWatch(data: unknown): void {
    let lease: number;
    try {
      lease = readInspectWatch(data).lease;
    } catch {
      return; // someone else's malformed message: the worker's tasks are what matters
    }
    this.watchedUntil = Math.max(this.watchedUntil, this.now() + lease);
    this.asked = true;
    this.reportSoon();
  }

  private reportSoon(): void {
    if (this.timer !== undefined || !this.watched) return;
    const wait = Math.max(0, this.lastReport + REPORT_GAP - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.publish();
    }, wait);
    this.timer.unref();
  }

  private publish(): void {
    const bus = this.bus;
    if (bus === undefined || bus.status === 'closed') return;
    const withGraph = this.asked;
    this.asked = false;
    this.lastReport = this.now();
    const report: ActorReport = {
      v: PROTOCOL_VERSION,
      worker: this.workerId,
      ...this.origin,
      actor: this.actorId,
      machine: this.machine,
      state: this.state,
      status: this.status,
      events: this.events,
      ...(this.lastEvent === undefined ? {} : { lastEvent: this.lastEvent }),
      updated: this.updated,
      timeline: this.timeline.list(),
      ...(withGraph && this.graph !== undefined ? { graph: this.graph } : {}),
    };
    try {
      bus.publish(this.subjects.inspect(this.workerId), report);
    } catch {
      // A draining connection or a subject this NATS user may not publish: inspection is best effort.
    }
  }
}

/** The last `size` transitions in slots written over in turn (no allocation once full). */
class RecentTransitions {
  private readonly slots: TimelineEntry[] = [];
  private added = 0;

  constructor(private readonly size: number) {}

  add(time: number, event: string, state: string): void {
    const slot = this.slots[this.added % this.size];
    this.added++;
    if (slot === undefined) {
      this.slots.push({ time, event, state });
      return;
    }
    slot.time = time;
    slot.event = event;
    slot.state = state;
  }

  /** Copies, oldest first. */
  list(): TimelineEntry[] {
    const start = this.added > this.size ? this.added % this.size : 0;
    return [...this.slots.slice(start), ...this.slots.slice(0, start)].map((entry) => ({ ...entry }));
  }
}
