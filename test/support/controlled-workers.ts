import type { TaskEvent, TaskFeed, WorkerDirectory, WorkerInfo } from '../../src';

/** A worker directory and task feed a test drives by hand: workers join, beat, finish tasks, die. */
export class ControlledWorkers implements WorkerDirectory, TaskFeed {
  private readonly listed = new Map<string, WorkerInfo>();
  private readonly listeners = new Set<(event: TaskEvent) => void>();

  constructor(private readonly now: () => number = Date.now) {}

  join(id: string, capacity = 2): void {
    this.listed.set(id, { id, capacity, inFlight: 0, done: 0, failed: 0, lastHeartbeat: this.now() });
  }

  /** Records a finished task on `worker` and tells the feed's listeners. */
  finish(worker: string, task: string, seq: number, ok = true, duration = 20): void {
    const info = this.listed.get(worker);
    if (info === undefined) throw new Error(`no worker ${worker}`);
    const end = this.now();
    if (ok) info.done++;
    else info.failed++;
    info.lastHeartbeat = end;
    const event: TaskEvent = ok ? { worker, task, seq, start: end - duration, end, ok } : { worker, task, seq, start: end - duration, end, ok, element: seq, error: 'Error: boom' };
    for (const listener of this.listeners) listener(event);
  }

  kill(id: string): void {
    this.listed.delete(id);
  }

  workers(): WorkerInfo[] {
    return [...this.listed.values()].map((info) => ({ ...info }));
  }

  onTask(listener: (event: TaskEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
