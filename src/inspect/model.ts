import type { InspectionEvent } from 'xstate';
import { describeValue, type PipelineError } from '../errors';
import type { Stream } from '../stream';
import { ActorRegistry, pushBounded, type ActorView, type TimelineEntry } from './actors';
import { countersOf } from './counters';
import { graphOfMembers, type GraphEdge, type GraphNode } from './graph';
import { linkViews, type LinkView } from './links';
import { observeActors, observeFailures } from '../actors/inspection';
import { MachineCatalogue, type MachineGraph } from './machines';
import { lifecycleActorId, nodeName } from './names';
import { RateWindow } from './rates';
import type { RemoteActorFeed } from './remote-actors';
import { durableView, isSegmentEnd, segmentStart, segmentTasks, type DurableSegmentView } from './segments';
import { WorkerRoster, type MessageEvent, type TaskEvent, type TaskFeed, type WorkerDirectory, type WorkerView } from './workers';

/** One node of the pipeline graph with its counters: what the dashboard draws. */
export interface NodeView extends GraphNode {
  /** The session id of the node's lifecycle actor. */
  actorId: string;
  /** Ids of the node's actors (see `DashboardState.actors`): its lifecycle; for scatter and gather, also its segment's. */
  actors: string[];
  /** `source`: no upstreams; `sink`: no downstreams. */
  role: 'source' | 'operator' | 'sink';
  /** Elements received since the node was built (for a source: the elements emitted into it). */
  in: number;
  out: number;
  errors: number;
  pending: number;
  /** Credits left, for nodes that work with credits (a segment's gather). */
  credits?: number;
  /** For the gather of a durable segment: stored, recovered and repeated elements. */
  durable?: DurableSegmentView;
  /** Elements per second received, averaged over the rate window. */
  rate: number;
}

/**
 * Elements of the observed pipelines since they were built; for a target with workers but no
 * pipelines (the CLI attached to NATS), tasks the workers finished since the inspector first saw them.
 */
export interface Progress {
  /** Elements that entered the pipelines at their sources. */
  emitted: number;
  /** Elements some node still holds (buffers, windows, async calls, distributed tasks). */
  inFlight: number;
  /** Elements emitted that are neither in flight nor failed. */
  done: number;
  /** Errors counted on nodes. */
  failed: number;
}

/** A failure seen on a node, on a worker, or both (one distributed task failing shows once). */
export interface ErrorView {
  time: number;
  /** The node that reported it (`<gather>`, `<map: parse>`). */
  node?: string;
  /** The worker whose task failed. */
  worker?: string;
  element: string;
  message: string;
  task?: string;
  seq?: number;
}

export interface ThroughputHistory {
  /** Epoch seconds of each sample. */
  times: number[];
  /** Per-second rates at each sample, averaged over the rate window. */
  emitted: number[];
  done: number[];
  tasks: number[];
  errors: number[];
}

export type TaskView = Omit<TaskEvent, 'element'>;

/** The one model behind `inspect()`, `/api/state` and the dashboard page. */
export interface DashboardState {
  time: number;
  graph: { nodes: NodeView[]; edges: GraphEdge[] };
  actors: ActorView[];
  workers: WorkerView[];
  /** The most recent finished tasks (the task stream), oldest first. */
  tasks: TaskView[];
  progress: Progress;
  throughput: ThroughputHistory;
  errors: ErrorView[];
  /** The ends of flow-controlled links in the pipelines (credits, unacknowledged messages), by node. */
  links: LinkView[];
}

/** One actor as the inspector page shows it: its machine, its last events. */
export interface ActorDetail {
  actor: ActorView;
  timeline: TimelineEntry[];
  machine?: MachineGraph;
}

/** What `/api/inspect` serves: every actor, the picked one in detail, and the last protocol messages. */
export interface InspectorState {
  time: number;
  actors: ActorView[];
  selected?: ActorDetail;
  messages: MessageEvent[];
}

/** What an inspector looks at: pipelines, and for distributed work a worker directory and task feed. */
export interface InspectTarget {
  /** The pipelines (any node of each); a function is asked again at every sample. */
  pipelines?: ReadonlyArray<Stream<unknown>> | (() => ReadonlyArray<Stream<unknown>>);
  workers?: WorkerDirectory;
  tasks?: TaskFeed;
  /** Actors of other processes (workers over NATS). */
  remoteActors?: RemoteActorFeed;
}

export interface ModelOptions {
  /** Milliseconds without a heartbeat after which a worker is shown as gone (default 5000). */
  goneAfter?: number;
  /** Samples of throughput history kept (default 120). */
  history?: number;
  /** Rates average over at least this many ms (default 1000), and over two of the workers' heartbeat periods. */
  rateWindow?: number;
  /** Protocol messages kept for the inspector's sequence diagram (default 200). */
  messages?: number;
  /** Epoch milliseconds (default `Date.now`). */
  now?: () => number;
  /** Receives every actor inspection event as it happens. */
  onActorEvent?: (event: InspectionEvent) => void;
}

const RECENT_TASKS = 500;
const RECENT_ERRORS = 50;

interface Totals {
  emitted: number;
  done: number;
  tasks: number;
  errors: number;
}

/** Who an actor is: what people call it and the graph node it belongs to. */
export interface Owner {
  name: string;
  node: number;
  /** Seen by the graph only (no inspection event yet): the model describes it itself. */
  machine: string;
  state: string;
  sessionId: string;
}

/**
 * Collects the live state of pipelines, their actors and workers. Counts come from the nodes
 * themselves (kept from construction); rates and history move only when `sample()` runs, which
 * the sampler's timer alone calls: reading the state never changes a rate.
 */
export class InspectionModel {
  private readonly now: () => number;
  private readonly historyLength: number;
  private readonly rateWindow: number;
  private readonly messageLimit: number;
  private readonly actors: ActorRegistry;
  private readonly machines = new MachineCatalogue();
  private readonly roster: WorkerRoster;
  private readonly nodeRates = new Map<Stream<unknown>, RateWindow>();
  private readonly totalRates: Record<keyof Totals, RateWindow> = { emitted: new RateWindow(), done: new RateWindow(), tasks: new RateWindow(), errors: new RateWindow() };
  private readonly workerBaselines = new Map<string, { done: number; failed: number }>();
  private readonly tasks: TaskView[] = [];
  private readonly errors: ErrorView[] = [];
  private readonly messages: MessageEvent[] = [];
  private readonly throughput: ThroughputHistory = { times: [], emitted: [], done: [], tasks: [], errors: [] };
  private readonly stops: Array<() => void>;
  private owners = new Map<string, Owner>();
  private links: LinkView[] = [];
  private tasksFinished = 0;
  private latest: DashboardState | undefined = undefined;
  private closed = false;

  constructor(
    private readonly target: InspectTarget,
    options: ModelOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.historyLength = options.history ?? 120;
    this.rateWindow = options.rateWindow ?? 1000;
    this.messageLimit = options.messages ?? 200;
    this.actors = new ActorRegistry(this.now);
    this.roster = new WorkerRoster(options.goneAfter ?? 5000);
    const onActorEvent = options.onActorEvent;
    this.stops = [
      observeActors((event) => {
        this.actors.record(event);
        if (event.type === '@xstate.actor') this.machines.learn((event.actorRef as { logic?: unknown }).logic);
        onActorEvent?.(event);
      }),
      observeFailures((node, failure) => {
        if (this.nodeRates.has(node)) this.recordError(failure);
      }),
      target.tasks?.onTask((event) => this.recordTask(event)) ?? noop,
      target.tasks?.onMessage?.((event) => pushBounded(this.messages, event, this.messageLimit)) ?? noop,
      target.remoteActors?.watch() ?? noop,
    ];
    this.sample();
  }

  /** The state as of the last `sample()`. */
  state(): DashboardState {
    return this.latest ?? this.sample();
  }

  /** Takes a sample: graph, counts, rates, workers, history. For the sampler's timer; after `close()`, the last state. */
  sample(): DashboardState {
    if (this.closed && this.latest !== undefined) return this.latest;
    const time = this.now();
    const workers = this.roster.update(this.target.workers?.workers() ?? [], time);
    const window = Math.max(this.rateWindow, 2 * this.roster.heartbeatPeriod());
    const graph = this.graph(time, window);
    const progress = this.progress(graph.nodes, workers);
    const tasks = this.target.tasks === undefined ? finishedByWorkers(workers) : this.tasksFinished;
    this.record(time, window, { emitted: progress.emitted, done: progress.done, tasks, errors: progress.failed }, this.latest === undefined);
    this.latest = {
      time,
      graph,
      actors: this.actorViews(),
      workers,
      tasks: [...this.tasks],
      progress,
      throughput: copyHistory(this.throughput),
      errors: this.errors.map((error) => ({ ...error })),
      links: this.links,
    };
    return this.latest;
  }

  /** Every actor as of the last sample, actor `id` with its machine and timeline, and the last protocol messages. */
  inspector(id?: string): InspectorState {
    const actors = this.state().actors;
    const actor = id === undefined ? undefined : actors.find((view) => view.id === id);
    const state: InspectorState = { time: this.now(), actors, messages: [...this.messages] };
    if (actor !== undefined) state.selected = actor.remote === undefined ? this.detail(actor, this.actors.timeline(actor.id)) : this.remoteDetail(actor);
    return state;
  }

  private detail(actor: ActorView, timeline: TimelineEntry[], machine = this.machines.get(actor.machine)): ActorDetail {
    const detail: ActorDetail = { actor, timeline };
    if (machine !== undefined) detail.machine = machine;
    return detail;
  }

  /** A remote actor's timeline and machine as its process last reported them (the machine of that id here otherwise). */
  private remoteDetail(actor: ActorView): ActorDetail {
    const remote = this.target.remoteActors?.actors().find(({ view }) => view.id === actor.id);
    return this.detail(actor, remote?.timeline ?? [], remote?.machine ?? this.machines.get(actor.machine));
  }

  /** Stops observing; the state stays as it was last sampled. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.stops) stop();
  }

  private graph(time: number, window: number): DashboardState['graph'] {
    const members = this.members();
    const graph = graphOfMembers(members);
    const byId = new Map(members.map((node) => [node.id, node]));
    const owners = new Map<string, Owner>();
    const nodes = graph.nodes.map((node) => this.view(node, byId.get(node.id) as Stream<unknown>, time, window, owners));
    for (const node of this.nodeRates.keys()) if (!byId.has(node.id)) this.nodeRates.delete(node);
    this.links = linkViews(members, nodes, owners);
    linkActors(nodes, owners);
    this.owners = owners;
    return { nodes, edges: graph.edges };
  }

  /** Every node of every target pipeline, each once. */
  private members(): Stream<unknown>[] {
    const seen = new Set<Stream<unknown>>();
    for (const root of this.pipelines()) {
      if (seen.has(root)) continue;
      for (const node of root.graph()) seen.add(node);
    }
    return [...seen];
  }

  private view(node: GraphNode, stream: Stream<unknown>, time: number, window: number, owners: Map<string, Owner>): NodeView {
    const counters = countersOf(stream);
    let rates = this.nodeRates.get(stream);
    if (rates === undefined) this.nodeRates.set(stream, (rates = new RateWindow()));
    const role = stream.upstreams.length === 0 ? 'source' : stream.downstreams.length === 0 ? 'sink' : 'operator';
    const lifecycle = lifecycleActorId(stream);
    owners.set(lifecycle, { name: nodeName(stream), node: node.id, machine: 'node', state: stream.state, sessionId: stream.actorId });
    const view: NodeView = { ...node, actorId: stream.actorId, actors: [lifecycle], role, ...counters, rate: rates.add(time, counters.in, window) };
    const credits = (stream as unknown as { credits?: unknown }).credits;
    if (typeof credits === 'number') view.credits = credits;
    if (isSegmentEnd(stream)) {
      view.credits = stream.segment.availableCredits;
      const durable = durableView(stream.segment);
      if (durable !== undefined) view.durable = durable;
      const tasks = segmentTasks(stream);
      const gather = `gather-${stream.segment.id}`;
      owners.set(gather, { name: `gather: ${tasks}`, node: node.id, machine: 'gather', state: stream.segment.gatherState, sessionId: gather });
      view.actors.push(gather);
      const start = segmentStart(stream);
      if (start !== undefined) owners.set(`scatter-${stream.segment.id}`, { name: `scatter: ${tasks}`, node: start.id, machine: 'scatter', state: stream.segment.scatterState, sessionId: `scatter-${stream.segment.id}` });
    }
    return view;
  }

  /** Actors seen through inspection events or reported by other processes, named after what they are, plus graph actors not heard from yet. */
  private actorViews(): ActorView[] {
    const views = this.actors.list();
    const heard = new Set(views.map((view) => view.id));
    for (const { view } of this.target.remoteActors?.actors() ?? []) if (!heard.has(view.id)) views.push(view);
    for (const view of views) {
      const owner = this.owners.get(view.id);
      view.name = owner?.name ?? defaultName(view);
      if (owner !== undefined) view.node = owner.node;
    }
    for (const [id, owner] of this.owners) {
      if (heard.has(id)) continue;
      views.push({ id, sessionId: owner.sessionId, name: owner.name, machine: owner.machine, node: owner.node, state: owner.state, events: 0, updated: 0 });
    }
    return views;
  }

  private pipelines(): ReadonlyArray<Stream<unknown>> {
    const pipelines = this.target.pipelines;
    if (pipelines === undefined) return [];
    return typeof pipelines === 'function' ? pipelines() : pipelines;
  }

  private progress(nodes: NodeView[], workers: WorkerView[]): Progress {
    if (nodes.length === 0) return this.taskProgress(workers);
    let emitted = 0;
    let inFlight = 0;
    let failed = 0;
    for (const node of nodes) {
      if (node.role === 'source') emitted += node.out;
      inFlight += node.pending;
      failed += node.errors;
    }
    return { emitted, inFlight, done: Math.max(0, emitted - inFlight - failed), failed };
  }

  /** Tasks workers finished since the inspector first saw each of them, and what they hold now. */
  private taskProgress(workers: WorkerView[]): Progress {
    const progress: Progress = { emitted: 0, inFlight: 0, done: 0, failed: 0 };
    for (const worker of workers) {
      let base = this.workerBaselines.get(worker.id);
      if (base === undefined) this.workerBaselines.set(worker.id, (base = { done: worker.done, failed: worker.failed }));
      progress.inFlight += worker.inFlight;
      progress.done += worker.done - base.done;
      progress.failed += worker.failed - base.failed;
    }
    progress.emitted = progress.inFlight + progress.done + progress.failed;
    return progress;
  }

  private record(time: number, window: number, totals: Totals, first: boolean): void {
    const rates = {
      emitted: this.totalRates.emitted.add(time, totals.emitted, window),
      done: this.totalRates.done.add(time, totals.done, window),
      tasks: this.totalRates.tasks.add(time, totals.tasks, window),
      errors: this.totalRates.errors.add(time, totals.errors, window),
    };
    if (first) return;
    const history = this.throughput;
    history.times.push(time / 1000);
    history.emitted.push(rates.emitted);
    history.done.push(rates.done);
    history.tasks.push(rates.tasks);
    history.errors.push(rates.errors);
    if (history.times.length > this.historyLength) {
      for (const series of Object.values(history)) series.shift();
    }
  }

  private recordTask(event: TaskEvent): void {
    const { element, ...view } = event;
    pushBounded(this.tasks, view, RECENT_TASKS);
    this.tasksFinished++;
    if (event.ok) return;
    this.pushError({ time: event.end, worker: event.worker, element: describeValue(element), message: event.error ?? 'task failed', task: event.task, seq: event.seq });
  }

  private recordError(failure: PipelineError): void {
    const cause = failure.error;
    const message = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    const view: ErrorView = { time: this.now(), node: failure.node, element: describeValue(failure.element), message };
    if (failure.task !== undefined) view.task = failure.task;
    if (failure.seq !== undefined) view.seq = failure.seq;
    this.pushError(view);
  }

  private pushError(view: ErrorView): void {
    const same = view.seq === undefined ? undefined : this.errors.find((e) => e.seq === view.seq && e.task === view.task && e.element === view.element && (e.node === undefined) !== (view.node === undefined));
    if (same !== undefined) {
      same.node ??= view.node;
      same.worker ??= view.worker;
      return;
    }
    pushBounded(this.errors, view, RECENT_ERRORS);
  }
}

function noop(): void {}

/** Puts each actor's id on the node it belongs to (a segment's scatter actor on the scatter node). */
function linkActors(nodes: NodeView[], owners: ReadonlyMap<string, Owner>): void {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  for (const [id, owner] of owners) {
    const node = byId.get(owner.node);
    if (node !== undefined && !node.actors.includes(id)) node.actors.push(id);
  }
}

/** `worker w3f…` for `worker-w3f…`, `cluster`, `connection x:4`: the machine, then what tells actors of it apart. */
function defaultName(view: ActorView): string {
  if (view.id === view.machine) return view.machine;
  if (view.id.startsWith(`${view.machine}-`)) return `${view.machine} ${view.id.slice(view.machine.length + 1)}`;
  return `${view.machine} ${view.id}`;
}

function finishedByWorkers(workers: WorkerView[]): number {
  let finished = 0;
  for (const worker of workers) finished += worker.done + worker.failed;
  return finished;
}

function copyHistory(history: ThroughputHistory): ThroughputHistory {
  return { times: [...history.times], emitted: [...history.emitted], done: [...history.done], tasks: [...history.tasks], errors: [...history.errors] };
}
