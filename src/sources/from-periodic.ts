import { isPromiseLike } from '../util/promise';
import { requireFunction } from '../validate';
import { PollingSource, type PollingOptions } from './polling-source';
import { registerSource, startIfAsked } from './source';

declare module '../stream' {
  namespace Stream {
    /** Emits `callback()` (awaited if it returns a Promise) on start and then every `interval` ms. */
    function fromPeriodic<T>(callback: () => T | PromiseLike<T>, options?: PollingOptions): FromPeriodic<T>;
  }
}

export class FromPeriodic<T> extends PollingSource<T> {
  private readonly callback: () => unknown;

  constructor(callback: () => T | PromiseLike<T>, options?: PollingOptions) {
    super(options);
    this.callback = requireFunction('callback', callback);
  }

  override get kind(): string {
    return 'fromPeriodic';
  }

  protected override describe(): string | undefined {
    return this.callback.name || undefined;
  }

  protected override async poll(): Promise<void> {
    const produced = this.callback();
    const value = (isPromiseLike(produced) ? await produced : produced) as T;
    if (this.isRunning) await this.deliver(value);
  }
}

export function fromPeriodic<T>(callback: () => T | PromiseLike<T>, options?: PollingOptions): FromPeriodic<T> {
  return startIfAsked(new FromPeriodic(callback, options), options);
}

registerSource('fromPeriodic', fromPeriodic);
