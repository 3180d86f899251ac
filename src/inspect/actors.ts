import type { InspectionEvent } from 'xstate';
import type { ActorOrigin } from '../distributed/inspect-protocol';

/** What the inspector shows of one xstate actor. */
export interface ActorView {
  /** The actor's xstate id (`node-3`, `scatter-<segment>`, `worker-<id>`; the session id when it has none). */
  id: string;
  sessionId: string;
  /** What it is, for people: `map: inc`, `scatter: enrich`, `worker w3f…` (set by the model). */
  name: string;
  /** The id of its machine (`node`, `scatter`, `gather`, `worker`, ...): the inspector draws that machine. */
  machine: string;
  /** The graph node it belongs to, if any (set by the model). */
  node?: number;
  /** The parent actor's session id, for actors spawned by another. */
  parent?: string;
  /** The state value (`running`, `{"dispatching":"saturated"}` as JSON for nested states) or the snapshot status. */
  state: string;
  /** Events the actor received. */
  events: number;
  lastEvent?: string;
  /** Epoch milliseconds of the last transition or event. */
  updated: number;
  /** An actor of another process (a worker over NATS): where it runs; `gone` once it stopped or went silent. */
  remote?: ActorOrigin & { gone: boolean };
}

/** One step of an actor's event timeline: the event it received and the state it was in after. */
export interface TimelineEntry {
  time: number;
  event: string;
  state: string;
}

interface Recorded {
  view: ActorView;
  timeline: TimelineEntry[];
}

const DEFAULT_LIMIT = 500;
/** Timeline entries kept per actor. */
export const TIMELINE_LENGTH = 50;

/** Folds xstate inspection events into one view (and a short timeline) per actor, keeping at most `limit` actors. */
export class ActorRegistry {
  private readonly actors = new Map<string, Recorded>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly limit = DEFAULT_LIMIT,
  ) {}

  record(event: InspectionEvent): void {
    const recorded = this.recordedOf(event);
    const view = recorded.view;
    view.updated = this.now();
    if (event.type === '@xstate.snapshot') {
      view.state = stateOf(event.snapshot);
      pushBounded(recorded.timeline, { time: view.updated, event: event.event.type, state: view.state }, TIMELINE_LENGTH);
    } else if (event.type === '@xstate.event') {
      view.events++;
      view.lastEvent = event.event.type;
    }
  }

  list(): ActorView[] {
    return [...this.actors.values()].map(({ view }) => ({ ...view }));
  }

  /** The actor with xstate id `id`. */
  get(id: string): ActorView | undefined {
    return this.actors.get(id)?.view;
  }

  /** The actor's last events, oldest first. */
  timeline(id: string): TimelineEntry[] {
    return [...(this.actors.get(id)?.timeline ?? [])];
  }

  private recordedOf(event: InspectionEvent): Recorded {
    const ref = event.actorRef as typeof event.actorRef & { id?: unknown; _parent?: { sessionId?: unknown }; logic?: { id?: unknown } };
    const id = typeof ref.id === 'string' ? ref.id : ref.sessionId;
    const existing = this.actors.get(id);
    if (existing !== undefined && existing.view.sessionId === ref.sessionId) return existing;
    const machine = typeof ref.logic?.id === 'string' ? ref.logic.id : 'actor';
    const view: ActorView = { id, sessionId: ref.sessionId, name: id, machine, state: 'created', events: 0, updated: 0 };
    const parent = ref._parent?.sessionId;
    if (typeof parent === 'string') view.parent = parent;
    const recorded: Recorded = { view, timeline: [] };
    this.actors.delete(id);
    this.actors.set(id, recorded);
    if (this.actors.size > this.limit) this.actors.delete(this.actors.keys().next().value as string);
    return recorded;
  }
}

export function pushBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}

export function stateOf(snapshot: unknown): string {
  const s = snapshot as { value?: unknown; status?: unknown };
  if (typeof s.value === 'string') return s.value;
  if (s.value !== undefined) return JSON.stringify(s.value);
  return typeof s.status === 'string' ? s.status : 'unknown';
}
