import type { InspectionEvent } from 'xstate';
import { describeValue, type PipelineError } from '../errors';
import type { Stream } from '../stream';
import { ActorRegistry, type ActorView } from './actors';
import { attachCounters, pendingOf, type NodeCounters } from './counters';
import { graphOf, type GraphEdge, type GraphNode } from './graph';
import { observeActors } from '../actors/inspection';
import { WorkerRoster, type TaskEvent, type TaskFeed, type WorkerDirectory, type WorkerView } from './workers';

/** One node of the pipeline graph with its counters: what the dashboard draws. */
export interface NodeView extends GraphNode {
  /** The session id of the node's lifecycle actor (links the node to `actors`). */
  actorId: string;
  /** `source`: no upstreams; `sink`: no downstreams. */
  role: 'source' | 'operator' | 'sink';
  /** Elements received (for a source: the elements emitted into it). */
  in: number;
  out: number;
  errors: number;
  pending: number;
  /** Credits left, for nodes that work with credits (scatter). */
  credits?: number;
  /** Elements per second received over the last sample. */
  rate: number;
}

/**
 * Elements of the observed pipelines; for a target with workers but no pipelines (the CLI attached
 * to NATS), tasks as the workers count them.
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
  /** Per-second rates for each sample. */
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
}

/** What an inspector looks at: pipelines, and for distributed work a worker directory and task feed. */
export interface InspectTarget {
  /** The pipelines (any node of each); a function is asked again at every sample. */
  pipelines?: ReadonlyArray<Stream<unknown>> | (() => ReadonlyArray<Stream<unknown>>);
  workers?: WorkerDirectory;
  tasks?: TaskFeed;
}

export interface ModelOptions {
  /** Milliseconds without a heartbeat after which a worker is shown as gone (default 5000). */
  goneAfter?: number;
  /** Samples of throughput history kept (default 120). */
  history?: number;
  /** Epoch milliseconds (default `Date.now`). */
  now?: () => number;
  /** Receives every actor inspection event as it happens. */
  onActorEvent?: (event: InspectionEvent) => void;
}

const RECENT_TASKS = 500;
const RECENT_ERRORS = 50;

interface Tracked {
  counters: NodeCounters;
  detach: () => void;
  previous: number;
}

interface Totals {
  emitted: number;
  done: number;
  tasks: number;
  errors: number;
}

/**
 * Collects the live state of pipelines, their actors and workers. While it is open it counts on
 * every node it has seen (see `attachCounters`); `close()` removes every trace of it.
 */
export class InspectionModel {
  private readonly now: () => number;
  private readonly historyLength: number;
  private readonly actors: ActorRegistry;
  private readonly roster: WorkerRoster;
  private readonly tracked = new Map<Stream<unknown>, Tracked>();
  private readonly tasks: TaskView[] = [];
  private readonly errors: ErrorView[] = [];
  private readonly throughput: ThroughputHistory = { times: [], emitted: [], done: [], tasks: [], errors: [] };
  private readonly stopActors: () => void;
  private readonly stopTasks: () => void;
  private tasksFinished = 0;
  private previousTotals: Totals = { emitted: 0, done: 0, tasks: 0, errors: 0 };
  private previousTime: number;
  private latest: DashboardState | undefined = undefined;
  private closed = false;

  constructor(
    private readonly target: InspectTarget,
    options: ModelOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.historyLength = options.history ?? 120;
    this.actors = new ActorRegistry(this.now);
    this.roster = new WorkerRoster(options.goneAfter ?? 5000);
    const onActorEvent = options.onActorEvent;
    this.stopActors = observeActors((event) => {
      this.actors.record(event);
      onActorEvent?.(event);
    });
    this.stopTasks = target.tasks?.onTask((event) => this.recordTask(event)) ?? (() => undefined);
    this.previousTime = this.now();
    this.sample();
  }

  /** The state as of the last `sample()`. */
  state(): DashboardState {
    return this.latest ?? this.sample();
  }

  /** Refreshes the graph (counting on new nodes), rates, workers and history; after `close()`, the last state. */
  sample(): DashboardState {
    if (this.closed && this.latest !== undefined) return this.latest;
    const time = this.now();
    const seconds = Math.max((time - this.previousTime) / 1000, 1e-3);
    const first = this.latest === undefined;
    const graph = this.graph(seconds, first);
    const workers = this.roster.update(this.target.workers?.workers() ?? [], time);
    const progress = this.progress(graph.nodes, workers);
    const totals: Totals = { emitted: progress.emitted, done: progress.done, tasks: this.target.workers === undefined ? this.tasksFinished : finishedByWorkers(workers), errors: progress.failed };
    if (!first) this.record(time, seconds, totals);
    this.previousTotals = totals;
    this.previousTime = time;
    this.latest = {
      time,
      graph,
      actors: this.actors.list(),
      workers,
      tasks: [...this.tasks],
      progress,
      throughput: copyHistory(this.throughput),
      errors: this.errors.map((error) => ({ ...error })),
    };
    return this.latest;
  }

  /** Stops observing and removes the counting wrappers (unless another observer still counts). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopActors();
    this.stopTasks();
    for (const tracked of this.tracked.values()) tracked.detach();
    this.tracked.clear();
  }

  private graph(seconds: number, first: boolean): DashboardState['graph'] {
    const nodes = new Map<number, NodeView>();
    const edges = new Map<string, GraphEdge>();
    for (const root of this.pipelines()) {
      const graph = graphOf(root);
      const members = new Map(root.graph().map((node) => [node.id, node]));
      for (const node of graph.nodes) {
        const stream = members.get(node.id);
        if (stream !== undefined && !nodes.has(node.id)) nodes.set(node.id, this.view(node, stream, seconds, first));
      }
      for (const edge of graph.edges) edges.set(`${edge.from}>${edge.to}`, edge);
    }
    this.untrackRemoved(nodes);
    return { nodes: [...nodes.values()].sort((a, b) => a.id - b.id), edges: [...edges.values()] };
  }

  private view(node: GraphNode, stream: Stream<unknown>, seconds: number, first: boolean): NodeView {
    const tracked = this.track(stream);
    const { counters } = tracked;
    const role = stream.upstreams.length === 0 ? 'source' : stream.downstreams.length === 0 ? 'sink' : 'operator';
    const received = receivedBy(stream, counters);
    const rate = first ? 0 : (received - tracked.previous) / seconds;
    tracked.previous = received;
    const view: NodeView = { ...node, actorId: stream.actorId, role, in: received, out: counters.out, errors: counters.errors, pending: pendingOf(stream), rate };
    const credits = (stream as unknown as { credits?: unknown }).credits;
    if (typeof credits === 'number') view.credits = credits;
    return view;
  }

  private track(node: Stream<unknown>): Tracked {
    let tracked = this.tracked.get(node);
    if (tracked === undefined) {
      const { counters, detach } = attachCounters(node, (failure) => this.recordError(failure));
      tracked = { counters, detach, previous: receivedBy(node, counters) };
      this.tracked.set(node, tracked);
    }
    return tracked;
  }

  /** Stops counting on nodes that left the pipelines (destroyed or disconnected). */
  private untrackRemoved(present: ReadonlyMap<number, NodeView>): void {
    for (const [node, tracked] of this.tracked) {
      if (present.has(node.id)) continue;
      tracked.detach();
      this.tracked.delete(node);
    }
  }

  private pipelines(): ReadonlyArray<Stream<unknown>> {
    const pipelines = this.target.pipelines;
    if (pipelines === undefined) return [];
    return typeof pipelines === 'function' ? pipelines() : pipelines;
  }

  private progress(nodes: NodeView[], workers: WorkerView[]): Progress {
    if (nodes.length === 0) return taskProgress(workers);
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

  private record(time: number, seconds: number, totals: Totals): void {
    const history = this.throughput;
    const previous = this.previousTotals;
    history.times.push(time / 1000);
    history.emitted.push((totals.emitted - previous.emitted) / seconds);
    history.done.push((totals.done - previous.done) / seconds);
    history.tasks.push((totals.tasks - previous.tasks) / seconds);
    history.errors.push((totals.errors - previous.errors) / seconds);
    if (history.times.length > this.historyLength) {
      for (const series of Object.values(history)) series.shift();
    }
  }

  private recordTask(event: TaskEvent): void {
    const { element, ...view } = event;
    this.tasks.push(view);
    if (this.tasks.length > RECENT_TASKS) this.tasks.shift();
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
    this.errors.push(view);
    if (this.errors.length > RECENT_ERRORS) this.errors.shift();
  }
}

/** Elements `node` received; a source receives what is emitted into it. */
function receivedBy(node: Stream<unknown>, counters: NodeCounters): number {
  return node.upstreams.length === 0 ? counters.out : counters.in;
}

function finishedByWorkers(workers: WorkerView[]): number {
  let finished = 0;
  for (const worker of workers) finished += worker.done + worker.failed;
  return finished;
}

function taskProgress(workers: WorkerView[]): Progress {
  const progress: Progress = { emitted: 0, inFlight: 0, done: 0, failed: 0 };
  for (const worker of workers) {
    progress.inFlight += worker.inFlight;
    progress.done += worker.done;
    progress.failed += worker.failed;
  }
  progress.emitted = progress.inFlight + progress.done + progress.failed;
  return progress;
}

function copyHistory(history: ThroughputHistory): ThroughputHistory {
  return { times: [...history.times], emitted: [...history.emitted], done: [...history.done], tasks: [...history.tasks], errors: [...history.errors] };
}
