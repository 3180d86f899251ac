/**
 * A local cluster: worker threads each running the Worker runtime, relayed onto the client's
 * in-process bus. Threads give real CPU parallelism; each loads the task modules (this process
 * does not: the pipeline imports the tasks it uses, and loading a compiled twin of them here
 * would register a second function under each name).
 */
import * as path from 'node:path';
import { Worker as Thread } from 'node:worker_threads';
import { createActor, type Actor } from 'xstate';
import { clusterMachine, type ClusterState } from '../../actors/cluster';
import { describeError } from '../../errors';
import { reportInspection } from '../../actors/inspection';
import type { Bus } from '../../transport/bus';
import { relayPort } from '../../transport/port-bus';
import { ignore } from '../../util/promise';
import type { WorkerDirectory } from './worker-directory';
import type { Subjects } from '../subjects';
import { resolveTaskModules, threadExecArgv } from './thread-loader';
import { newWorkerId } from '../worker/worker';
import { registerWorker } from '../../metrics/registry';
import { ThreadWorkerView } from './thread-worker-view';

export interface LocalClusterOptions {
  tasks?: string | string[];
  subjects: Subjects;
  concurrency: number;
  heartbeatInterval: number;
}

interface Member {
  readonly id: string;
  /** Held here: the metrics registry keeps it only as long as the member exists. */
  readonly metricsView: ThreadWorkerView;
  readonly thread: Thread;
  readonly exited: Promise<void>;
  readonly stopRelay: () => void;
  /** Asked to drain: its exit is expected. */
  retiring: boolean;
  /** Its first heartbeat arrived: only such threads are replaced (one failing at start would loop). */
  started: boolean;
  /** What the thread threw, if it died of an error. */
  failure: Error | undefined;
}

/** How long a thread may take to load its tasks and announce itself. */
const START_TIMEOUT = 30_000;
const ENTRY = path.join(__dirname, '..', 'worker', `thread-worker${path.extname(__filename)}`);

export class LocalCluster {
  private readonly members: Member[] = [];
  /** Threads that exited unasked (crashed, terminated) and were replaced. */
  replaced = 0;
  private readonly actor: Actor<typeof clusterMachine>;
  private readonly taskModules: string[];
  private readonly execArgv: string[] | undefined;

  /** Throws when a task module cannot be found, or is TypeScript and no loader for it is installed. */
  constructor(
    private readonly bus: Bus,
    private readonly directory: WorkerDirectory,
    private readonly options: LocalClusterOptions,
  ) {
    this.taskModules = resolveTaskModules(options.tasks);
    this.execArgv = threadExecArgv(ENTRY, this.taskModules);
    this.actor = createActor(clusterMachine, { id: 'cluster', inspect: reportInspection });
    this.actor.subscribe({ error: (error) => console.error('rivulet cluster:', error) });
    this.actor.start();
  }

  get state(): ClusterState {
    return this.actor.getSnapshot().value as ClusterState;
  }

  get size(): number {
    return this.members.length;
  }

  /** The thread running worker `id` (for tests and diagnostics). */
  thread(id: string): Thread | undefined {
    return this.members.find((member) => member.id === id)?.thread;
  }

  /** Starts or drains threads until `n` run; resolves when the new ones announced themselves. */
  async scale(n: number): Promise<void> {
    if (this.state === 'ready') this.actor.send({ type: 'SCALE' });
    const started: Member[] = [];
    while (this.members.length < n) {
      const member = this.spawn();
      this.members.push(member);
      started.push(member);
    }
    const retired = this.members.splice(n);
    await Promise.all([...started.map((member) => this.announced(member)), ...retired.map((member) => this.retire(member))]);
    this.actor.send({ type: 'READY' });
  }

  async close(): Promise<void> {
    this.actor.send({ type: 'CLOSE' });
    await Promise.all(this.members.splice(0).map((member) => this.retire(member)));
    this.actor.send({ type: 'CLOSED' });
  }

  private spawn(): Member {
    const id = newWorkerId();
    const { prefix, pool } = this.options.subjects;
    const thread = new Thread(ENTRY, {
      workerData: { id, tasks: this.taskModules, prefix, pool, concurrency: this.options.concurrency, heartbeatInterval: this.options.heartbeatInterval },
      execArgv: this.execArgv,
    });
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    const metricsView = new ThreadWorkerView(id, pool, this.options.concurrency, this.directory);
    registerWorker(metricsView);
    const member: Member = { id, metricsView, thread, exited, stopRelay: relayPort(this.bus, thread), retiring: false, started: false, failure: undefined };
    thread.on('error', (error) => (member.failure = error));
    void exited.then(() => this.onExit(member));
    return member;
  }

  /**
   * A thread that exits unasked is lost at once (its tasks are sent again without waiting for
   * missed heartbeats) and replaced, so the cluster keeps its size.
   */
  private onExit(member: Member): void {
    member.stopRelay();
    if (member.retiring) return;
    const index = this.members.indexOf(member);
    if (index < 0) return;
    this.directory.forget(member.id);
    if (!member.started || this.state === 'closing' || this.state === 'closed') {
      this.members.splice(index, 1);
      return;
    }
    const cause = member.failure === undefined ? '' : ` (${describeError(member.failure)})`;
    console.error(`rivulet: worker thread ${member.id} exited unexpectedly${cause}; starting a replacement`);
    const replacement = this.spawn();
    this.members[index] = replacement;
    this.replaced++;
    this.announced(replacement).catch((error: unknown) => console.error('rivulet: the replacement worker thread failed:', error));
  }

  /** Resolves once the thread's first heartbeat arrived; rejects if it fails, exits or takes too long. */
  private announced(member: Member): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stopListening();
        if (error !== undefined) return reject(error);
        member.started = true;
        resolve();
      };
      const check = (): void => {
        if (this.directory.info(member.id) !== undefined) settle();
      };
      const timer = setTimeout(() => settle(new Error(`worker thread ${member.id} did not announce itself within ${START_TIMEOUT} ms`)), START_TIMEOUT);
      const stopListening = this.directory.listen({ workerJoined: check, workerLost: ignore, capacity: ignore, leasesDue: ignore, busReconnected: ignore });
      void member.exited.then(() => settle(startFailure(member)));
      check();
    });
  }

  /** Asks the thread to drain; it exits once its tasks are done. */
  private async retire(member: Member): Promise<void> {
    member.retiring = true;
    this.bus.publish(this.options.subjects.drainWorker(member.id), null);
    await member.exited;
  }
}

function startFailure(member: Member): Error {
  if (member.failure === undefined) return new Error(`worker thread ${member.id} exited before it announced itself`);
  return new Error(`worker thread ${member.id} could not start: ${describeError(member.failure)}`, { cause: member.failure });
}
