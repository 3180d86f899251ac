import { emitDetached } from './support/detached-emit';
import { systemScheduler, type Scheduler } from '../scheduler';
import { Stream, type Emitted } from '../stream';
import type { TimedOptions } from './support/timed-options';
import { requireInterval, requireOptions, requirePositiveInteger } from '../validate';
import { keyFunction, type KeySelector } from './support/key-selector';

export interface PartitionOptions<T> extends TimedOptions {
  /** Milliseconds from a group's first element after which the group is emitted even if not full. */
  timeout?: number | null;
  /** Partition per key: a function, or a property name / index. Keys compare as `Map` keys. */
  key?: KeySelector<T> | null;
}

declare module '../stream' {
  interface Stream<T> {
    /**
     * Arrays of `n` elements. With `key`, one group per key, each emitted when it holds `n`. With
     * `timeout`, a group is emitted partially `timeout` ms after its first element (a failure
     * downstream then goes to `errors`); until then it counts as held for `drain()`. Without
     * `timeout`, a partial group waits for more elements indefinitely. When a group fills, `emit`
     * returns the downstream's Promise (back pressure).
     */
    partition(n: number, options?: PartitionOptions<T>): Stream<T[]>;
  }
}

class Group {
  items: unknown[] = [];
  timer: unknown = undefined;
  constructor(readonly key: unknown) {}
}

export class Partition<T> extends Stream<T[]> {
  private readonly groups = new Map<unknown, Group>();
  private readonly n: number;
  private readonly timeout: number | undefined;
  private readonly keyOf: ((x: unknown) => unknown) | undefined;
  private readonly scheduler: Scheduler;

  constructor(upstream: Stream<T>, n: number, options: PartitionOptions<T> = {}) {
    requireOptions(options);
    requirePositiveInteger('n', n);
    const timeout = options.timeout == null ? undefined : requireInterval('timeout', options.timeout);
    const keyOf = options.key == null ? undefined : keyFunction('key', options.key);
    super(options, [upstream]);
    this.n = n;
    this.timeout = timeout;
    this.keyOf = keyOf;
    this.scheduler = options.scheduler ?? systemScheduler;
  }

  override get kind(): string {
    return 'partition';
  }

  protected override describe(): string | undefined {
    return String(this.n);
  }

  override update(x: T): Emitted {
    const key = this.keyOf === undefined ? undefined : this.keyOf(x);
    let group = this.groups.get(key);
    if (group === undefined) {
      group = new Group(key);
      this.groups.set(key, group);
    }
    group.items.push(x);
    if (group.items.length >= this.n) return this.emitFull(group);
    if (group.items.length === 1 && this.timeout !== undefined) this.startTimer(group, this.timeout);
    return undefined;
  }

  private emitFull(group: Group): Emitted {
    this.groups.delete(group.key);
    if (group.timer !== undefined) {
      this.scheduler.clearTimeout(group.timer);
      this.holdEnded();
    }
    return this.emit(group.items as T[]);
  }

  private startTimer(group: Group, timeout: number): void {
    this.holdStarted();
    group.timer = this.scheduler.setTimeout(() => this.flushPartial(group), timeout);
  }

  private flushPartial(group: Group): void {
    this.groups.delete(group.key);
    const pending = emitDetached<T[]>(this, group.items as T[]);
    if (pending !== undefined) void this.hold(pending);
    this.holdEnded();
  }
}

Stream.registerApi('partition', (upstream, n: number, options?: PartitionOptions<unknown>) => new Partition(upstream, n, options));
