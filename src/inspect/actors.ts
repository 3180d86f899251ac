import type { InspectionEvent } from 'xstate';

/** What the inspector shows of one xstate actor. */
export interface ActorView {
  /** The actor's id (`node-3`, `scatter`, ...). */
  id: string;
  sessionId: string;
  /** The parent actor's session id, for actors spawned by another. */
  parent?: string;
  /** The state value (`running`, `{"dispatching":"saturated"}` as JSON for nested states) or the snapshot status. */
  state: string;
  /** Events the actor received. */
  events: number;
  lastEvent?: string;
  /** Epoch milliseconds of the last transition or event. */
  updated: number;
}

const DEFAULT_LIMIT = 500;

/** Folds xstate inspection events into one view per actor, keeping at most `limit` actors. */
export class ActorRegistry {
  private readonly actors = new Map<string, ActorView>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly limit = DEFAULT_LIMIT,
  ) {}

  record(event: InspectionEvent): void {
    const view = this.viewOf(event);
    view.updated = this.now();
    if (event.type === '@xstate.snapshot') view.state = stateOf(event.snapshot);
    else if (event.type === '@xstate.event') {
      view.events++;
      view.lastEvent = event.event.type;
    }
  }

  list(): ActorView[] {
    return [...this.actors.values()].map((view) => ({ ...view }));
  }

  get(sessionId: string): ActorView | undefined {
    return this.actors.get(sessionId);
  }

  private viewOf(event: InspectionEvent): ActorView {
    const ref = event.actorRef as typeof event.actorRef & { id?: unknown; _parent?: { sessionId?: unknown } };
    const existing = this.actors.get(ref.sessionId);
    if (existing !== undefined) return existing;
    const view: ActorView = { id: typeof ref.id === 'string' ? ref.id : ref.sessionId, sessionId: ref.sessionId, state: 'created', events: 0, updated: 0 };
    const parent = ref._parent?.sessionId;
    if (typeof parent === 'string') view.parent = parent;
    this.actors.set(ref.sessionId, view);
    if (this.actors.size > this.limit) this.actors.delete(this.actors.keys().next().value as string);
    return view;
  }
}

function stateOf(snapshot: unknown): string {
  const s = snapshot as { value?: unknown; status?: unknown };
  if (typeof s.value === 'string') return s.value;
  if (s.value !== undefined) return JSON.stringify(s.value);
  return typeof s.status === 'string' ? s.status : 'unknown';
}
