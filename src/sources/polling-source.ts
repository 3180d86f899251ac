import { systemScheduler, type Scheduler } from '../scheduler';
import { requireInterval } from '../validate';
import { Source, type SourceOptions } from './source';

export interface PollingOptions extends SourceOptions {
  /** Milliseconds between the end of one poll and the start of the next. Default 100. */
  interval?: number;
  scheduler?: Scheduler;
}

/**
 * A source that polls: the first poll runs on `start()`, each later one `interval` ms after the
 * previous poll (and the downstream work it caused) finished. A failing poll goes to `errors` and
 * polling goes on.
 */
export abstract class PollingSource<T> extends Source<T> {
  protected readonly interval: number;
  private readonly scheduler: Scheduler;
  private timer: unknown = undefined;
  private polling = false;

  constructor(options: PollingOptions = {}) {
    super(options);
    this.interval = requireInterval('interval', options.interval ?? 100);
    this.scheduler = options.scheduler ?? systemScheduler;
  }

  /** Reads the input once and delivers what is new. */
  protected abstract poll(): Promise<void> | void;

  protected override open(): Promise<void> | void {
    if (this.polling) this.producingStarted();
    else void this.runPoll();
  }

  protected override close(): Promise<void> | void {
    if (this.timer === undefined) return;
    this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    void this.runPoll();
  };

  private async runPoll(): Promise<void> {
    this.polling = true;
    this.producingStarted();
    try {
      await this.poll();
    } catch (error) {
      if (this.isRunning) this.reportError(undefined, error);
    } finally {
      this.polling = false;
      this.producingEnded();
    }
    if (this.isRunning && this.timer === undefined) this.timer = this.scheduler.setTimeout(this.tick, this.interval);
  }
}
