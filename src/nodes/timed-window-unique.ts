import { Stream } from '../stream';
import type { TimedOptions } from './support/timed-options';
import type { PartitionUniqueOptions } from './partition-unique';
import { DistinctByKey, requireKeep } from './support/distinct-by-key';
import { keyFunction } from './support/key-selector';
import { TimedWindow } from './timed-window';
import { requireOptions } from '../validate';

/** `key` and `keep` as for `partitionUnique`, plus the clock. */
export interface TimedWindowUniqueOptions<T> extends TimedOptions, Pick<PartitionUniqueOptions<T>, 'key' | 'keep'> {}

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
    requireOptions(options);
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
