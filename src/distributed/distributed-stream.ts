/**
 * `DistributedStream<T>`: the part of a pipeline between `scatter()` and `gather()`. Its operators
 * do not run here: each task node adds a step to the chain a worker runs, so consecutive
 * operators cost one round trip per element. Nodes that need values (joins, windows, timers)
 * gather, work locally and scatter again, so their result stays distributed.
 *
 * Typing: a local node attached without `gather()` receives `Remote<T>`, which cannot be used as
 * a `T`. That makes a distributed stream incompatible with `Stream<T>`, so `DistributedStream<T>`
 * is its own type over the runtime class `DistributedNode`.
 */
import type { AccumulateOptions } from '../nodes/accumulate';
import type { CombineLatestOptions } from '../nodes/combine-latest';
import type { ItemOf } from '../nodes/flatten';
import type { ElementOf, ElementsOf } from '../nodes/support/join';
import type { PartitionOptions } from '../nodes/partition';
import type { SlidingWindowOptions } from '../nodes/sliding-window';
import type { UniqueOptions } from '../nodes/unique';
import type { ZipOptions } from '../nodes/zip';
import { Stream, type Emitted, type StreamOptions } from '../stream';
import type { TimedOptions } from '../nodes/support/timed-options';
import type { StepOp, StepSpec, StepState } from './protocol';
import { requireFunction, requirePositiveInteger } from '../validate';
import type { Client } from './client/client';
import { CompiledChain, type StateHolder } from './compiled-chain';
import { GatherNode, type GatherOptions } from './gather-node';
import { DurableGatherNode, durableGatherOptions } from './durable/durable-gather-node';
import { durableConfigOf } from './durable/durable-scatter';
import { RemoteValue, type ChainTail, type Remote } from './remote';
import { combinePolicies, splitPolicy, type ResolvedPolicy, type TaskPolicy } from './task-policy';
import { nameOfTask, UnregisteredTaskError, versionOf } from './tasks';

/** Operators that keep a stream distributed. */
export interface DistributedOperators<T> {
  readonly client: Client;
  /**
   * Runs `fn` on a worker. Consecutive `map`/`starmap`/`filter`/`pluck`/`flatten` fuse into one task.
   * A trailing `{ retries, backoff, timeout }` sets the task's failure policy.
   */
  map<R>(fn: (x: T) => R, policy: TaskPolicy): DistributedStream<Awaited<R>>;
  map<R, A extends unknown[]>(fn: (x: T, ...args: A) => R, ...argsThenPolicy: [...A, TaskPolicy]): DistributedStream<Awaited<R>>;
  map<R, A extends unknown[] = []>(fn: (x: T, ...args: A) => R, ...args: A): DistributedStream<Awaited<R>>;
  starmap<R, A extends unknown[] = []>(fn: (...xAndArgs: [...(T extends readonly unknown[] ? T : unknown[]), ...A]) => R, ...args: A): DistributedStream<Awaited<R>>;
  filter<A extends unknown[] = []>(predicate?: ((x: T, ...args: A) => unknown) | null, ...args: A): DistributedStream<T>;
  pluck<K extends keyof T>(key: K): DistributedStream<T[K]>;
  pluck<K extends keyof T>(keys: readonly K[]): DistributedStream<Array<T[K]>>;
  flatten(): DistributedStream<ItemOf<T>>;
  concat(): DistributedStream<ItemOf<T>>;
  /** Runs on workers one element at a time; the state travels with each task. */
  accumulate<S>(fn: (state: S, x: T) => S, options?: AccumulateOptions<S>): DistributedStream<S>;
  accumulate<S, R>(fn: (state: S, x: T) => [S, R], options: AccumulateOptions<S> & { returnsState: true }): DistributedStream<R>;
  scan<S>(fn: (state: S, x: T) => S, options?: AccumulateOptions<S>): DistributedStream<S>;
  scan<S, R>(fn: (state: S, x: T) => [S, R], options: AccumulateOptions<S> & { returnsState: true }): DistributedStream<R>;
  /** Allows `n` tasks in flight: the gather grants `n` credits. */
  buffer(n: number): DistributedStream<T>;
  /** Brings results back as a local stream, in emission order unless `ordered: false`. */
  gather(options?: GatherOptions): Stream<T>;
  /** Already distributed: returns the stream itself. */
  scatter(): DistributedStream<T>;
  zip<A extends unknown[]>(...args: [...others: A, options: ZipOptions]): DistributedStream<[T, ...ElementsOf<Gathered<A>>]>;
  zip<A extends unknown[]>(...others: A): DistributedStream<[T, ...ElementsOf<Gathered<A>>]>;
  combineLatest<A extends unknown[]>(...others: A): DistributedStream<[T, ...ElementsOf<Gathered<A>>]>;
  combineLatest<A extends unknown[]>(...args: [...others: A, options: CombineLatestOptions]): DistributedStream<[T, ...ElementsOf<Gathered<A>>]>;
  union<A extends unknown[]>(...others: A): DistributedStream<T | ElementOf<Gathered<A>[number]>>;
  partition(n: number, options?: PartitionOptions<T>): DistributedStream<T[]>;
  slidingWindow(n: number, options?: SlidingWindowOptions): DistributedStream<T[]>;
  timedWindow(interval: number, options?: TimedOptions): DistributedStream<T[]>;
  unique(options?: UniqueOptions<T>): DistributedStream<T>;
  delay(interval: number, options?: TimedOptions): DistributedStream<T>;
  rateLimit(interval: number, options?: TimedOptions): DistributedStream<T>;
  latest(): DistributedStream<T>;
}

/** Distributed streams among join arguments count with their gathered element type. */
export type Gathered<A extends readonly unknown[]> = { [K in keyof A]: A[K] extends DistributedStream<infer U> ? Stream<U> : A[K] };

/** A distributed stream: distributed operators, and local ones that receive `Remote<T>`. */
export type DistributedStream<T> = DistributedOperators<T> & Omit<Stream<Remote<T>>, keyof DistributedOperators<T>>;

type AnyFunction = (...args: never[]) => unknown;

/** The runtime class of every distributed node. Elements are `RemoteValue`s. */
export class DistributedNode extends Stream<unknown> {
  constructor(
    readonly client: Client,
    upstream: Stream<unknown>,
    options?: StreamOptions,
  ) {
    super(options, [upstream]);
  }

  override get kind(): string {
    return 'distributed';
  }

  /** Gathers, applies a local operator, scatters its output again. */
  locally(build: (local: Stream<unknown>) => Stream<unknown>): DistributedNode {
    return new ScatterNode(this.client, build(this.gather()));
  }
}

/** Where a local stream enters the distributed part. */
export class ScatterNode extends DistributedNode {
  override get kind(): string {
    return 'scatter';
  }

  override update(x: unknown): Emitted {
    const failure = this.client.startFailure;
    if (failure !== undefined) return Promise.reject(failure);
    return this.emit(new RemoteValue(x, undefined));
  }
}

/** A distributed operator: adds its step to the chain of every element passing through. */
export class TaskNode extends DistributedNode implements ChainTail {
  private compiled: CompiledChain | undefined = undefined;

  constructor(
    upstream: DistributedNode,
    private readonly operator: string,
    readonly step: StepSpec,
    readonly policy?: ResolvedPolicy,
  ) {
    super(upstream.client, upstream);
  }

  override get kind(): string {
    return this.operator;
  }

  protected override describe(): string | undefined {
    return this.step.task ?? (this.step.fn as AnyFunction | undefined)?.name ?? undefined;
  }

  override update(x: unknown): Emitted {
    return this.emit(new RemoteValue((x as RemoteValue).value, this));
  }

  /** The steps from the scatter to this node (fixed: each node has one upstream). */
  get chain(): CompiledChain {
    this.compiled ??= compileChain(this);
    return this.compiled;
  }
}

class AccumulateTask extends TaskNode implements StateHolder {
  stepState: StepState;

  constructor(upstream: DistributedNode, fn: AnyFunction, options: AccumulateOptions<unknown>) {
    const step = taskStep(upstream.client, 'accumulate', fn, []);
    super(upstream, 'accumulate', { ...step, args: undefined, returnsState: options.returnsState ?? false, withState: options.withState ?? false });
    this.stepState = { hasState: 'start' in options, acc: options.start };
  }
}

/** `buffer(n)` on a distributed stream: passes elements through, gives its gather `n` credits. */
class CreditNode extends DistributedNode {
  constructor(
    upstream: DistributedNode,
    readonly credits: number,
  ) {
    super(upstream.client, upstream);
  }

  override get kind(): string {
    return 'buffer';
  }

  protected override describe(): string {
    return String(this.credits);
  }
}

/** The distributed nodes from `node` up to (not including) its scatter, nearest last. */
function segmentOf(node: DistributedNode): DistributedNode[] {
  const nodes: DistributedNode[] = [];
  for (let at: Stream<unknown> | undefined = node; at instanceof DistributedNode && !(at instanceof ScatterNode); at = at.upstream) nodes.unshift(at);
  return nodes;
}

/** The scatter a distributed node's segment starts at. */
function scatterOf(node: DistributedNode): ScatterNode | undefined {
  let at: Stream<unknown> | undefined = node;
  while (at instanceof DistributedNode && !(at instanceof ScatterNode)) at = at.upstream;
  return at instanceof ScatterNode ? at : undefined;
}

function compileChain(tail: TaskNode): CompiledChain {
  const tasks = segmentOf(tail).filter((node): node is TaskNode => node instanceof TaskNode);
  const holders = tasks.filter((node): node is AccumulateTask => node instanceof AccumulateTask);
  return new CompiledChain(
    tasks.map((node) => node.step),
    holders,
    combinePolicies(tasks.map((node) => node.policy)),
  );
}

/** The credits a gather grants: the largest `buffer(n)` since the scatter, if any. */
function bufferBefore(node: DistributedNode): number | undefined {
  let credits: number | undefined;
  for (const at of segmentOf(node)) if (at instanceof CreditNode) credits = Math.max(credits ?? 0, at.credits);
  return credits;
}

function taskStep(client: Client, op: StepOp, fn: AnyFunction, args: unknown[]): StepSpec {
  requireFunction('fn', fn);
  const task = nameOfTask(fn);
  if (task === undefined && client.requiresRegisteredTasks) throw new UnregisteredTaskError(op, fn);
  const version = task === undefined ? undefined : versionOf(fn);
  return client.requiresRegisteredTasks ? { op, task, version, args } : { op, task, version, args, fn };
}

/** A task node for `fn`; a trailing `{ retries, backoff, timeout }` among `args` is its policy. */
function taskNode(upstream: DistributedNode, op: 'map' | 'starmap' | 'filter', fn: AnyFunction, args: readonly unknown[]): TaskNode {
  const { args: fnArgs, policy } = splitPolicy(args);
  return new TaskNode(upstream, op, taskStep(upstream.client, op, fn, fnArgs), policy);
}

function gathered(input: unknown): unknown {
  return input instanceof DistributedNode ? input.gather() : input;
}

type Method = (this: DistributedNode, ...args: never[]) => unknown;

/** The distributed operators, installed on `DistributedNode.prototype` over the local ones. */
const operators: Record<Exclude<keyof DistributedOperators<unknown>, 'client'>, Method> = {
  map(fn: AnyFunction, ...args: unknown[]) {
    return taskNode(this, 'map', fn, args);
  },
  starmap(fn: AnyFunction, ...args: unknown[]) {
    return taskNode(this, 'starmap', fn, args);
  },
  filter(predicate?: AnyFunction | null, ...args: unknown[]) {
    if (predicate === undefined || predicate === null) return new TaskNode(this, 'filter', { op: 'filter' });
    return taskNode(this, 'filter', predicate, args);
  },
  pluck(key: unknown) {
    return new TaskNode(this, 'pluck', { op: 'pluck', key });
  },
  flatten() {
    return new TaskNode(this, 'flatten', { op: 'flatten' });
  },
  concat() {
    return new TaskNode(this, 'flatten', { op: 'flatten' });
  },
  accumulate(fn: AnyFunction, options: AccumulateOptions<unknown> = {}) {
    return new AccumulateTask(this, fn, options);
  },
  scan(fn: AnyFunction, options: AccumulateOptions<unknown> = {}) {
    return new AccumulateTask(this, fn, options);
  },
  buffer(n: number) {
    return new CreditNode(this, requirePositiveInteger('n', n));
  },
  gather(options: GatherOptions = {}) {
    const buffer = bufferBefore(this);
    const durable = durableConfigOf(scatterOf(this));
    if (durable !== undefined) return new DurableGatherNode(this, this.client, durable, buffer ?? 1, durableGatherOptions(options));
    return new GatherNode(this, this.client, buffer ?? 1, buffer !== undefined, options);
  },
  scatter() {
    return this;
  },
  zip(...args: unknown[]) {
    return this.locally((local) => local.zip(...args.map(gathered)));
  },
  combineLatest(...args: unknown[]) {
    return this.locally((local) => (local.combineLatest as (...all: unknown[]) => Stream<unknown>)(...args.map(gathered)));
  },
  union(...others: unknown[]) {
    return this.locally((local) => local.union(...(others.map(gathered) as Stream<unknown>[])));
  },
  partition(n: number, options?: PartitionOptions<unknown>) {
    return this.locally((local) => local.partition(n, options));
  },
  slidingWindow(n: number, options?: SlidingWindowOptions) {
    return this.locally((local) => local.slidingWindow(n, options));
  },
  timedWindow(interval: number, options?: TimedOptions) {
    return this.locally((local) => local.timedWindow(interval, options));
  },
  unique(options?: UniqueOptions<unknown>) {
    return this.locally((local) => local.unique(options));
  },
  delay(interval: number, options?: TimedOptions) {
    return this.locally((local) => local.delay(interval, options));
  },
  rateLimit(interval: number, options?: TimedOptions) {
    return this.locally((local) => local.rateLimit(interval, options));
  },
  latest() {
    return this.locally((local) => local.latest());
  },
};

for (const [name, method] of Object.entries(operators)) {
  Object.defineProperty(DistributedNode.prototype, name, { value: method, writable: true, configurable: true });
}
