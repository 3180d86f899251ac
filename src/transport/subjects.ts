/**
 * Subject names of the distributed protocol. Everything lives under a prefix per cluster
 * (default `rivulet`); tasks go to a pool (default `default`).
 */
export const DEFAULT_PREFIX = 'rivulet';
export const DEFAULT_POOL = 'default';

export class Subjects {
  constructor(
    readonly prefix: string = DEFAULT_PREFIX,
    readonly pool: string = DEFAULT_POOL,
  ) {}

  /** Tasks addressed to one worker of the pool (scatter picks the worker by free capacity). */
  workerTasks(workerId: string): string {
    return `${this.prefix}.tasks.${this.pool}.${workerId}`;
  }

  /** Results of one pipeline segment. */
  results(pipeline: string): string {
    return `${this.prefix}.results.${pipeline}`;
  }

  /** Credit grants from a segment's gather to its scatter. */
  credit(pipeline: string): string {
    return `${this.prefix}.credit.${pipeline}`;
  }

  /** Asks one worker to drain (finish its tasks, then stop). */
  drainWorker(workerId: string): string {
    return `${this.prefix}.control.drain.${workerId}`;
  }

  get heartbeat(): string {
    return `${this.prefix}.workers.heartbeat`;
  }
}
