/**
 * A local cluster: worker threads each running the Worker runtime, relayed onto the client's
 * in-process bus. Threads give real CPU parallelism; they load the same task modules.
 */
import * as path from 'node:path';
import { Worker as Thread } from 'node:worker_threads';
import { createActor, type Actor } from 'xstate';
import { clusterMachine, type ClusterState } from '../actors/cluster';
import { reportInspection } from '../inspect/inspection';
import type { Bus } from '../transport/bus';
import { relayPort } from '../transport/port-bus';
import type { Subjects } from '../transport/subjects';
import { newWorkerId } from './worker';
import type { WorkerDirectory } from './worker-directory';

export interface LocalClusterOptions {
  tasks?: string | string[];
  subjects: Subjects;
  concurrency: number;
  heartbeatInterval: number;
}

interface Member {
  readonly id: string;
  readonly thread: Thread;
  readonly exited: Promise<void>;
  readonly stopRelay: () => void;
}

/** How long a thread may take to load its tasks and announce itself. */
const START_TIMEOUT = 30_000;
const POLL_INTERVAL = 10;

export class LocalCluster {
  private readonly members: Member[] = [];
  private readonly actor: Actor<typeof clusterMachine>;

  constructor(
    private readonly bus: Bus,
    private readonly directory: WorkerDirectory,
    private readonly options: LocalClusterOptions,
  ) {
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
    const typescript = __filename.endsWith('.ts');
    const entry = path.join(__dirname, `thread-worker${typescript ? '.ts' : '.js'}`);
    const tasks = this.options.tasks === undefined ? [] : ([] as string[]).concat(this.options.tasks).map((module) => path.resolve(module));
    const { prefix, pool } = this.options.subjects;
    const thread = new Thread(entry, {
      workerData: { id, tasks, prefix, pool, concurrency: this.options.concurrency, heartbeatInterval: this.options.heartbeatInterval },
      execArgv: typescript ? ['-r', 'ts-node/register/transpile-only'] : [],
    });
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    thread.on('error', (error) => console.error(`rivulet worker thread ${id} failed:`, error));
    return { id, thread, exited, stopRelay: relayPort(this.bus, thread) };
  }

  /** Resolves once the thread's first heartbeat arrived; rejects if it exits or takes too long. */
  private async announced(member: Member): Promise<void> {
    let exited = false;
    void member.exited.then(() => (exited = true));
    const deadline = Date.now() + START_TIMEOUT;
    while (!this.directory.list().some((worker) => worker.id === member.id)) {
      if (exited) throw new Error(`worker thread ${member.id} exited before it announced itself`);
      if (Date.now() > deadline) throw new Error(`worker thread ${member.id} did not announce itself within ${START_TIMEOUT} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL));
    }
  }

  /** Asks the thread to drain; it exits once its tasks are done. */
  private async retire(member: Member): Promise<void> {
    this.bus.publish(this.options.subjects.drainWorker(member.id), null);
    await member.exited;
    member.stopRelay();
  }
}
