/**
 * The entry point of distributed execution. One pipeline code, three deployments chosen by the
 * options: embedded (in-process bus and worker), a local cluster of worker threads, or NATS.
 */
import { randomBytes } from 'node:crypto';
import { ArgumentTypeError } from '../errors';
import { inspectClient, startClientDashboard, type ClientInspection } from '../inspect/client';
import type { InspectObserver, InspectOptions } from '../inspect/inspect';
import type { Dashboard, DashboardOptions } from '../inspect/server';
import { InProcessBus } from '../transport/in-process-bus';
import type { Bus } from '../transport/bus';
import { DEFAULT_POOL, DEFAULT_PREFIX, Subjects } from './subjects';
import { requireInterval, requirePositiveInteger } from '../validate';
import { closeBus } from '../transport/close-bus';
import { withinBound } from '../util/bounded';
import { Segment, type SegmentOutput } from './client/segment';
import { WorkerDirectory, type WorkerInfo } from './client/worker-directory';
import { LocalCluster } from './local-cluster';
import { connectNats } from './nats';
import { DEFAULT_HEARTBEAT_INTERVAL, loadTaskModules, Worker } from './worker/worker';

export type Deployment = 'embedded' | 'threads' | 'nats';

export interface ClientOptions {
  /** Local cluster: the number of worker threads (needs `tasks`). */
  workers?: number;
  /** Module(s) registering the tasks; loaded here and by every worker thread. */
  tasks?: string | string[];
  /** NATS: server URL(s). Other options (user, pass, token, tls, ...) go to the NATS connection. */
  servers?: string | string[];
  prefix?: string;
  pool?: string;
  /** Tasks each local worker runs at once (embedded default 1024, threads default 1). */
  concurrency?: number;
  /** Milliseconds between worker heartbeats for workers this client starts. */
  heartbeatInterval?: number;
  /** Milliseconds a worker may hold a task before it counts as lost (default 1 hour). */
  lease?: number;
  [natsOption: string]: unknown;
}

export interface CloseOptions {
  /**
   * Milliseconds to wait for elements still in flight (default 60 000; `Infinity` waits for ever).
   * When it runs out, the pending elements fail with a `CloseTimeoutError` and `close()` rejects with it.
   */
  timeout?: number;
}

/** `close()` gave up waiting: `pending` elements were still waiting for a worker or a result. */
export class CloseTimeoutError extends Error {
  override readonly name = 'CloseTimeoutError';
  constructor(
    readonly pending: number,
    readonly timeout: number,
    workers: number,
  ) {
    super(`client.close() timed out after ${timeout} ms with ${pending} element(s) still pending (${workers} worker(s) available)`);
  }
}

/** How a gather asks for its segment. */
export interface SegmentRequest {
  credits: number;
  buffered: boolean;
  ordered: boolean;
}

interface OpenSegment {
  readonly segment: Segment;
  readonly output: SegmentOutput;
}

const DEFAULT_CLOSE_TIMEOUT = 60_000;
const CLIENT_OPTIONS = new Set(['workers', 'tasks', 'servers', 'prefix', 'pool', 'concurrency', 'heartbeatInterval', 'lease']);
const EMBEDDED_CONCURRENCY = 1024;
const DEFAULT_LEASE = 3_600_000;
/** How long a task batch may go unacknowledged by the pool before it is sent again. */
const ACCEPT_TIMEOUT = 2_000;
/** After `close()` gave up on its elements, how long it waits for a blocked downstream to take their failures. */
const ABANDON_BOUND = 1_000;

let current: Client | undefined;

export class Client {
  readonly id = randomBytes(4).toString('hex');
  readonly deployment: Deployment;
  readonly subjects: Subjects;
  readonly lease: number;
  /** Credits travel here: scatter and gather always live in this process. */
  readonly controlBus: Bus = new InProcessBus();
  readonly directory: WorkerDirectory;
  private bus: Bus | undefined = undefined;
  private readonly ready: Promise<void>;
  private readonly pendingSetups: Array<(bus: Bus) => void> = [];
  private readonly segments = new Set<OpenSegment>();
  private embeddedWorker: Worker | undefined = undefined;
  private cluster: LocalCluster | undefined = undefined;
  private segmentCount = 0;
  private closing: Promise<void> | undefined = undefined;
  private readonly dashboards: Dashboard[] = [];

  /** The client pipelines use by default: the last one created, or a new embedded one. */
  static current(): Client {
    current ??= new Client();
    return current;
  }

  constructor(readonly options: ClientOptions = {}) {
    if (options === null || typeof options !== 'object') throw new ArgumentTypeError('options', 'an object', options);
    this.subjects = new Subjects(options.prefix ?? DEFAULT_PREFIX, options.pool ?? DEFAULT_POOL);
    this.lease = requirePositiveInteger('lease', options.lease ?? DEFAULT_LEASE);
    this.deployment = options.servers !== undefined ? 'nats' : options.workers !== undefined ? 'threads' : 'embedded';
    if (this.deployment === 'threads') requirePositiveInteger('workers', options.workers as number);
    if (this.deployment !== 'embedded') loadTaskModules(options.tasks);
    this.directory = new WorkerDirectory(this.subjects);
    if (this.deployment === 'nats') {
      this.ready = this.connectNats();
    } else {
      this.attach(new InProcessBus());
      this.ready = this.startLocalWorkers();
    }
    this.ready.catch((error: unknown) => console.error('rivulet: the client failed to start:', error));
    current = this;
  }

  /** The local cluster of a `threads` deployment, once started. */
  get localCluster(): LocalCluster | undefined {
    return this.cluster;
  }

  /** Thread and NATS workers can only run registered tasks. */
  get requiresRegisteredTasks(): boolean {
    return this.deployment !== 'embedded';
  }

  /** The task bus once connected. */
  get taskBus(): Bus | undefined {
    return this.bus;
  }

  /** Resolves once the bus is connected and the workers this client starts announced themselves. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Live workers: id, capacity, in-flight, done, failed, last heartbeat. */
  workers(): WorkerInfo[] {
    return this.directory.list();
  }

  /** Starts the live dashboard for this client's workers and tasks; resolves to its URL. */
  async dashboard(options: DashboardOptions & ClientInspection = {}): Promise<string> {
    const dashboard = await startClientDashboard(this, options);
    this.dashboards.push(dashboard);
    return dashboard.url;
  }

  /** Every actor's transitions and per-node counters, plus this client's workers and tasks; returns the unsubscribe function. */
  inspect(observer: InspectObserver, options: InspectOptions & ClientInspection = {}): () => void {
    return inspectClient(this, observer, options);
  }

  /** Local clusters: starts or stops worker threads until `n` run. */
  async scale(n: number): Promise<void> {
    requirePositiveInteger('n', n);
    if (this.deployment !== 'threads') throw new Error(`scale() needs a local cluster (new Client({ workers, tasks })); this client is ${this.deployment}`);
    await this.ready;
    await (this.cluster as LocalCluster).scale(n);
  }

  /** Runs `setup` with the task bus once connected (at once when it already is). */
  onReady(setup: (bus: Bus) => void): void {
    if (this.bus !== undefined) setup(this.bus);
    else this.pendingSetups.push(setup);
  }

  /** A new pipeline segment id, unique on the bus. */
  newSegmentId(): string {
    return `${this.id}-${++this.segmentCount}`;
  }

  /** A new segment delivering to `output`; `close()` waits for its work first. */
  openSegment(request: SegmentRequest, output: SegmentOutput): Segment {
    const segment = new Segment(
      { ...request, id: this.newSegmentId(), bus: () => this.bus, controlBus: this.controlBus, subjects: this.subjects, directory: this.directory, lease: this.lease, acceptTimeout: Math.min(ACCEPT_TIMEOUT, this.lease) },
      output,
    );
    this.segments.add({ segment, output });
    this.onReady((bus) => segment.attach(bus));
    return segment;
  }

  /**
   * Waits (at most `timeout` ms) for in-flight work, then stops local workers and closes the bus.
   * Rejects with a `CloseTimeoutError` when elements were still pending at the timeout.
   */
  close(options: CloseOptions = {}): Promise<void> {
    const timeout = options.timeout ?? DEFAULT_CLOSE_TIMEOUT;
    if (timeout !== Infinity) requireInterval('timeout', timeout);
    this.closing ??= this.shutdown(timeout);
    return this.closing;
  }

  private async shutdown(timeout: number): Promise<void> {
    const segments = [...this.segments];
    for (const { segment } of segments) segment.stopAccepting();
    const started = timeout === Infinity || (await withinBound(this.ready, timeout));
    const failure = await this.finishSegments(segments, started ? timeout : 0);
    for (const { segment } of segments) segment.close();
    await Promise.all(this.dashboards.splice(0).map((dashboard) => dashboard.close()));
    await this.embeddedWorker?.drain();
    await this.cluster?.close();
    this.directory.close();
    if (this.bus !== undefined) await closeBus(this.bus);
    await this.controlBus.close();
    if (current === this) current = undefined;
    if (failure !== undefined) throw failure;
  }

  /** Waits for every segment's elements; past `timeout`, fails the pending ones and returns why. */
  private async finishSegments(segments: readonly OpenSegment[], timeout: number): Promise<CloseTimeoutError | undefined> {
    const finished = Promise.all(segments.map(({ output }) => output.finished()));
    if (timeout === Infinity) {
      await finished;
      return undefined;
    }
    if (await withinBound(finished, timeout)) return undefined;
    const pending = segments.reduce((sum, { segment }) => sum + segment.pendingElements, 0);
    const error = new CloseTimeoutError(pending, timeout, this.directory.size);
    for (const { segment } of segments) segment.abandon(error);
    await withinBound(finished, ABANDON_BOUND);
    return error;
  }

  private attach(bus: Bus): void {
    this.bus = bus;
    this.directory.attach(bus);
    let interrupted = false;
    bus.onStatus(({ status }) => {
      if (status === 'reconnecting' || status === 'disconnected') interrupted = true;
      else if (status === 'connected' && interrupted) {
        interrupted = false;
        this.directory.reconnected();
      }
    });
    for (const setup of this.pendingSetups.splice(0)) setup(bus);
  }

  private async startLocalWorkers(): Promise<void> {
    const bus = this.bus as Bus;
    const heartbeatInterval = this.options.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL;
    if (this.deployment === 'embedded') {
      const { prefix, pool } = this.subjects;
      const concurrency = this.options.concurrency ?? EMBEDDED_CONCURRENCY;
      this.embeddedWorker = new Worker({ bus, prefix, pool, concurrency, heartbeatInterval, allowLocalFunctions: true });
      await this.embeddedWorker.start();
      return;
    }
    this.cluster = new LocalCluster(bus, this.directory, { tasks: this.options.tasks, subjects: this.subjects, concurrency: this.options.concurrency ?? 1, heartbeatInterval });
    await this.cluster.scale(this.options.workers as number);
  }

  private async connectNats(): Promise<void> {
    const natsOptions = Object.fromEntries(Object.entries(this.options).filter(([key]) => !CLIENT_OPTIONS.has(key)));
    this.attach(await connectNats(this.options.servers as string | string[], natsOptions));
  }
}
