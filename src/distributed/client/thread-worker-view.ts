import type { WorkerTaskCounts, WorkerView } from '../../metrics/collect';
import type { WorkerDirectory } from './worker-directory';

const NOTHING_YET: WorkerTaskCounts = { run: 0, failed: 0, running: 0, queued: 0 };

/**
 * A worker thread as this process's metrics see it: the thread's own Worker registers in the
 * thread's registry, invisible here, so its counts come from what the client hears of it
 * (heartbeats and the totals on its result batches). A thread that left keeps its last counts.
 */
export class ThreadWorkerView implements WorkerView {
  private last = NOTHING_YET;

  constructor(
    readonly id: string,
    readonly pool: string,
    readonly concurrency: number,
    private readonly directory: WorkerDirectory,
  ) {}

  get taskCounts(): WorkerTaskCounts {
    const info = this.directory.info(this.id);
    if (info === undefined) return this.last;
    const running = Math.min(info.inFlight, info.capacity);
    this.last = { run: info.done + info.failed, failed: info.failed, running, queued: info.inFlight - running };
    return this.last;
  }
}
