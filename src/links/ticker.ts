import type { Scheduler } from '../scheduler';

/** Calls `tick` every `interval` ms on `scheduler` until stopped; never keeps the process alive by itself. */
export class Ticker {
  private handle: unknown = undefined;
  private running = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly interval: number,
    private readonly tick: () => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.handle !== undefined) this.scheduler.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private schedule(): void {
    this.handle = this.scheduler.setTimeout(this.fire, this.interval);
    (this.handle as { unref?: () => void } | undefined)?.unref?.();
  }

  private readonly fire = (): void => {
    this.handle = undefined;
    if (!this.running) return;
    this.tick();
    if (this.running) this.schedule();
  };
}
