import { ArgumentTypeError } from '../errors';
import { Stream } from '../stream';
import type { TimedOptions } from '../timed-options';
import { DistinctByKey, requireKeep, type Keep } from './support/distinct-by-key';
import { keyFunction, type KeySelector } from './support/key-selector';
import { TimedWindow } from './timed-window';

export interface TimedWindowUniqueOptions<T> extends TimedOptions {
  /** The key that must be distinct: a function, or a property name / index; the element by default. */
  key?: KeySelector<T> | null;
  /** For a repeated key: keep the `'first'` element (default), or the `'last'` one, moving its key last. */
  keep?: Keep;
}

declare module '../stream' {
  interface Stream<T> {
    /**
     * [timed_window_unique] Every `interval` ms, one element per distinct key received in it, in
     * the order the keys arrived (empty arrays too); back pressure as `timedWindow`.
     */
    timedWindowUnique(interval: number, options?: TimedWindowUniqueOptions<T>): Stream<T[]>;
  }
}

export class TimedWindowUnique<T> extends TimedWindow<T> {
  constructor(upstream: Stream<T>, interval: number, options: TimedWindowUniqueOptions<T> = {}) {
    if (options === null || typeof options !== 'object') throw new ArgumentTypeError('options', 'an object', options);
    super(upstream, interval, options, new DistinctByKey(keyFunction('key', options.key), requireKeep('keep', options.keep)));
  }

  override get kind(): string {
    return 'timedWindowUnique';
  }
}

Stream.registerApi(
  'timedWindowUnique',
  (upstream, interval: number, options?: TimedWindowUniqueOptions<unknown>) => new TimedWindowUnique(upstream, interval, options),
);
