/**
 * The entry point of distributed execution. One pipeline code, three deployments chosen by the
 * options: embedded (in-process bus and worker), a local cluster of worker threads, or NATS.
 */
import { randomBytes } from 'node:crypto';
import { ArgumentRangeError } from '../../errors';
import { inspectClient, startClientDashboard, type ClientInspection } from '../../inspect/client';
import type { InspectObserver, InspectOptions } from '../../inspect/inspect';
import type { Dashboard, DashboardOptions } from '../../inspect/server';
import { InProcessBus } from '../../transport/in-process-bus';
import type { Bus } from '../../transport/bus';
import { closeBus } from '../../transport/close-bus';
import { defaultCodec } from '../../transport/codec';
import { NatsBus } from '../../transport/nats-bus';
import { checkConnectionOptions, NATS_CONNECTION_OPTIONS, pickConnectionOptions, type NatsConnectionOptions } from '../../transport/nats-options';
import { withinBound } from '../../util/bounded';
import { requireInterval, requireKnownOptions, requireOptions, requirePositiveInteger } from '../../validate';
import { Segment, type SegmentOutput } from './segment';
import { WorkerDirectory, type WorkerInfo } from './worker-directory';
import { LocalCluster } from './local-cluster';
import { AuthenticatedBus } from '../authenticated-bus';
import { MessageAuth, type AuthRefusalCounts, type Secret } from '../message-auth';
import { DEFAULT_POOL, DEFAULT_PREFIX, Subjects } from '../subjects';
import { DEFAULT_HEARTBEAT_INTERVAL, Worker } from '../worker/worker';

export type Deployment = 'embedded' | 'threads' | 'nats';

/**
 * `servers` (and the other NATS connection options) make a NATS client; `workers` (+ `tasks`) a
 * local cluster of worker threads; neither, an embedded client. Unknown options are refused.
 */
export interface ClientOptions extends NatsConnectionOptions {
  /** Local cluster: the number of worker threads. */
  workers?: number;
  /**
   * Local cluster: module(s) registering the tasks, loaded by every worker thread (not by this
   * process: the pipeline imports the tasks it uses). TypeScript modules are loaded with ts-node.
   */
  tasks?: string | string[];
  prefix?: string;
  pool?: string;
  /** Tasks each local worker runs at once (embedded default 1024, threads default 1). */
  concurrency?: number;
  /** Milliseconds between worker heartbeats for workers this client starts. */
  heartbeatInterval?: number;
  /** Milliseconds a worker may hold a task before it counts as lost (default 1 hour). */
  lease?: number;
  /** NATS only: the cluster secret (at least 16 bytes) every protocol message is authenticated with; workers need the same. */
  secret?: Secret;
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

/** What `close()` needs of a segment, core or durable. */
export interface ClosableSegment {
  readonly pendingElements: number;
  stopAccepting(): void;
  abandon(error: Error): void;
  close(): void | Promise<void>;
}

interface OpenSegment {
  readonly segment: ClosableSegment;
  readonly output: Pick<SegmentOutput, 'finished'>;
}

const DEFAULT_CLOSE_TIMEOUT = 60_000;
const OWN_OPTIONS: Record<Exclude<keyof ClientOptions, keyof NatsConnectionOptions>, true> = {
  workers: true,
  tasks: true,
  prefix: true,
  pool: true,
  concurrency: true,
  heartbeatInterval: true,
  lease: true,
  secret: true,
};
const CLIENT_OPTIONS: ReadonlySet<string> = new Set([...Object.keys(OWN_OPTIONS), ...NATS_CONNECTION_OPTIONS]);
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
  private failure: Error | undefined = undefined;
  private readonly auth: MessageAuth | undefined;

  /** The client pipelines use by default: the last one created, or a new embedded one. */
  static current(): Client {
    current ??= new Client();
    return current;
  }

  constructor(readonly options: ClientOptions = {}) {
    checkOptions(options);
    this.auth = options.secret === undefined ? undefined : new MessageAuth(options.secret, this.id, `rivulet client ${this.id}`);
    this.subjects = new Subjects(options.prefix ?? DEFAULT_PREFIX, options.pool ?? DEFAULT_POOL);
    this.lease = requirePositiveInteger('lease', options.lease ?? DEFAULT_LEASE);
    this.deployment = options.servers !== undefined ? 'nats' : options.workers !== undefined ? 'threads' : 'embedded';
    if (this.deployment === 'threads') requirePositiveInteger('workers', options.workers as number);
    this.directory = new WorkerDirectory(this.subjects, undefined, `rivulet client ${this.id}`);
    if (this.deployment === 'nats') {
      this.ready = this.connectNats();
    } else {
      // Thread workers get structured clones: refuse at once what could not be cloned unchanged.
      this.attach(new InProcessBus(this.deployment === 'threads' ? { checkData: (data) => defaultCodec.checkSendable(data) } : {}));
      if (this.deployment === 'threads') this.cluster = this.newCluster();
      this.ready = this.startLocalWorkers();
    }
    // Not logged: whoever uses the client gets it (`whenReady()`, `scale()`, every emit into its segments).
    this.ready.catch((error: unknown) => this.failed(error));
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

  /**
   * Resolves once the bus is connected and the workers this client starts announced themselves;
   * rejects with the reason when the client cannot start (e.g. a `NatsConnectionError`).
   */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Why the client could not start, once it is known: every element emitted into its segments fails with it. */
  get startFailure(): Error | undefined {
    return this.failure;
  }

  /** With a `secret`: messages refused as unauthenticated, altered, stale or replayed. */
  get authRefusals(): AuthRefusalCounts | undefined {
    return this.auth === undefined ? undefined : { ...this.auth.refusals };
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

  /** A segment made elsewhere (a durable one): `close()` waits for it; `attach` runs with the task bus once connected. */
  adoptSegment(segment: ClosableSegment, output: Pick<SegmentOutput, 'finished'>, attach: (bus: Bus) => void): void {
    this.segments.add({ segment, output });
    this.onReady(attach);
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
    const deadline = performance.now() + timeout;
    const started = timeout === Infinity || (await withinBound(this.ready, timeout));
    const failure = await this.finishSegments(segments, started ? Math.max(0, deadline - performance.now()) : 0);
    await Promise.all(segments.map(({ segment }) => segment.close()));
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

  private attach(connected: Bus): void {
    const bus = this.auth === undefined ? connected : new AuthenticatedBus(connected, this.auth);
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

  /** Fails the elements already waiting; later ones fail as they arrive (see `startFailure`). */
  private failed(error: unknown): void {
    this.failure = error instanceof Error ? error : new Error(String(error));
    for (const { segment } of this.segments) segment.abandon(this.failure);
  }

  private get heartbeatInterval(): number {
    return this.options.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL;
  }

  /** Checks the task modules at once (they are loaded by the threads only). */
  private newCluster(): LocalCluster {
    const { tasks, concurrency } = this.options;
    return new LocalCluster(this.bus as Bus, this.directory, { tasks, subjects: this.subjects, concurrency: concurrency ?? 1, heartbeatInterval: this.heartbeatInterval });
  }

  private async startLocalWorkers(): Promise<void> {
    if (this.cluster !== undefined) return this.cluster.scale(this.options.workers as number);
    const { prefix, pool } = this.subjects;
    const concurrency = this.options.concurrency ?? EMBEDDED_CONCURRENCY;
    this.embeddedWorker = new Worker({ bus: this.bus, prefix, pool, concurrency, heartbeatInterval: this.heartbeatInterval, allowLocalFunctions: true });
    await this.embeddedWorker.start();
  }

  private async connectNats(): Promise<void> {
    this.attach(await NatsBus.connect({ name: `rivulet client ${this.id}`, ...pickConnectionOptions(this.options) }));
  }
}

/** Unknown options, and options that would be ignored by the deployment the others choose, are refused. */
function checkOptions(options: ClientOptions): void {
  requireOptions(options);
  checkConnectionOptions(options);
  requireKnownOptions('Client', options, CLIENT_OPTIONS);
  const given = (name: keyof ClientOptions): boolean => options[name] !== undefined;
  if (given('servers')) {
    if (given('workers')) throw new ArgumentRangeError('workers', 'left out with servers (NATS workers are `rivulet worker` processes)', options.workers);
  } else {
    const natsOption = [...NATS_CONNECTION_OPTIONS].find((name) => given(name as keyof NatsConnectionOptions));
    if (natsOption !== undefined) throw new ArgumentRangeError(natsOption, 'given only with servers (it is a NATS connection option)', options[natsOption as keyof NatsConnectionOptions]);
  }
  if (given('secret') && !given('servers')) throw new ArgumentRangeError('secret', 'given only with servers (it authenticates NATS messages)', '(hidden)');
  if (given('tasks') && !given('workers')) throw new ArgumentRangeError('tasks', 'given only with workers (NATS workers load theirs: `rivulet worker --tasks`)', options.tasks);
}
