import { createActor, type Actor } from 'xstate';
import { nodeLifecycle, type LifecycleState } from './actors/node-lifecycle';
import { ArgumentTypeError, PipelineError, toPipelineError } from './errors';
import { reportFailure, reportInspection } from './actors/inspection';
import { registerNode } from './metrics/registry';
import { ignore } from './util/promise';
import { graphOf, renderGraph, type GraphFormat } from './inspect/graph';
import { requireOptions } from './validate';

/**
 * What `emit` and `update` return: `undefined` when the element was handled synchronously, a
 * Promise when something downstream is asynchronous or applying back pressure.
 */
export type Emitted = void | Promise<void>;

export interface StreamOptions {
  /** Shown by `toString()`, `visualize()` and the dashboard. */
  name?: string;
}

export type OperatorFactory<A extends unknown[], R> = (stream: Stream<unknown>, ...args: A) => R;

let nextNodeId = 1;

/**
 * A node of a pipeline. Elements arrive through `update(x, from)` and leave through `emit(y)`,
 * which calls `update` on every downstream in the order they were attached. Operators are
 * registered onto this class by the files in `nodes/` (the same mechanism as `registerApi`).
 */
export class Stream<T = unknown> {
  readonly id: number;
  readonly name: string | undefined;
  readonly upstreams: Stream<unknown>[] = [];
  private readonly outlet = new Outlet();
  /** Elements received = this plus what the current upstreams emitted (kept right on connect/disconnect). */
  private receivedOffset = 0;
  /** Synchronous throws out of `update` plus failures sent to `errors`. */
  private failures = 0;
  private heldCount = 0;
  private pausedReported = false;
  private releaseScheduled = false;
  private settleWaiters: Array<() => void> = [];
  private errorStream: Stream<PipelineError> | undefined = undefined;
  private readonly lifecycle: Actor<typeof nodeLifecycle>;

  constructor(options: StreamOptions = {}, upstreams: ReadonlyArray<Stream<unknown>> = []) {
    requireOptions(options);
    this.id = nextNodeId++;
    this.name = options.name;
    this.lifecycle = createActor(nodeLifecycle, { id: `node-${this.id}`, inspect: reportInspection });
    this.lifecycle.subscribe({ error: (error) => this.reportError(undefined, error) });
    this.lifecycle.start();
    for (const upstream of upstreams) upstream.connect(this);
    registerNode(this);
  }

  /** The operator's name as `toString()` shows it (`map`, `partition`, ...). */
  get kind(): string {
    return 'Stream';
  }

  /** The detail `toString()` shows after the kind (`<map: inc>`), if any. */
  protected describe(): string | undefined {
    return undefined;
  }

  /** The lifecycle state of this node's actor. */
  get state(): LifecycleState {
    return this.lifecycle.getSnapshot().value as LifecycleState;
  }

  /** The actor's session id, as reported in inspection events. */
  get actorId(): string {
    return this.lifecycle.sessionId;
  }

  get downstreams(): readonly Stream<unknown>[] {
    return this.outlet.downstreams;
  }

  /** The single upstream; `undefined` without one; throws when there are several. */
  get upstream(): Stream<unknown> | undefined {
    if (this.upstreams.length > 1) throw new Error(`${this} has multiple upstreams`);
    return this.upstreams[0];
  }

  /** Pushes `x` to every downstream, in the order they were attached. */
  emit(x: T): Emitted {
    const outlet = this.outlet;
    if (!outlet.active) this.activate();
    outlet.emitted++;
    const downstreams = outlet.downstreams;
    if (downstreams.length === 1) {
      const only = downstreams[0];
      try {
        return only.update(x, this);
      } catch (error) {
        throw this.caught(only, x, error);
      }
    }
    let pending: Promise<void> | Promise<void>[] | undefined;
    for (let i = 0; i < downstreams.length; i++) {
      let result: Emitted;
      try {
        result = downstreams[i].update(x, this);
      } catch (error) {
        if (pending !== undefined) Promise.all(Array.isArray(pending) ? pending : [pending]).catch(ignore);
        throw this.caught(downstreams[i], x, error);
      }
      if (result === undefined) continue;
      if (pending === undefined) pending = result;
      else if (Array.isArray(pending)) pending.push(result);
      else pending = [pending, result];
    }
    return Array.isArray(pending) ? Promise.all(pending).then(ignore) : pending;
  }

  /** Called by an upstream with each element. The default passes it through. */
  update(x: unknown, from?: Stream<unknown>): Emitted {
    return this.emit(x as T);
  }

  connect(downstream: Stream<unknown>): this {
    if (!(downstream instanceof Stream)) throw new ArgumentTypeError('downstream', 'a Stream', downstream);
    const outlet = this.outlet;
    if (outlet.downstreams.includes(downstream)) return this;
    outlet.downstreams = [...outlet.downstreams, downstream];
    downstream.upstreams.push(this);
    downstream.receivedOffset -= outlet.emitted;
    downstream.upstreamAdded(this);
    return this;
  }

  disconnect(downstream: Stream<unknown>): this {
    const outlet = this.outlet;
    if (outlet.downstreams.includes(downstream)) outlet.downstreams = outlet.downstreams.filter((node) => node !== downstream);
    if (remove(downstream.upstreams, this)) {
      downstream.receivedOffset += outlet.emitted;
      downstream.upstreamRemoved(this);
    }
    return this;
  }

  /**
   * Takes this node out of its pipeline: detaches it from all its upstreams (it receives nothing
   * afterwards) and from all its downstreams (what it emits afterwards reaches nobody).
   */
  destroy(): void {
    for (const upstream of [...this.upstreams]) upstream.disconnect(this);
    for (const downstream of this.outlet.downstreams) this.disconnect(downstream);
    this.lifecycle.send({ type: 'STOP' });
  }

  /** Hook for joins, which keep per-upstream state. */
  protected upstreamAdded(upstream: Stream<unknown>): void {}

  protected upstreamRemoved(upstream: Stream<unknown>): void {}

  /**
   * Starts every source upstream of this node. Returns a promise when a source starts
   * asynchronously; it rejects when one cannot start (e.g. its port is in use), and that
   * rejection is the one report of the failure that is sure to be seen (it is not logged).
   */
  start(): void | Promise<void> {
    let starting: Promise<void>[] | undefined;
    for (const upstream of this.upstreams) {
      const started = upstream.start();
      if (started !== undefined) (starting ??= []).push(started);
    }
    return starting === undefined ? undefined : Promise.all(starting).then(ignore);
  }

  /** Stops every source upstream of this node. */
  stop(): void {
    for (const upstream of this.upstreams) upstream.stop();
  }

  /**
   * Resolves when every element emitted so far has left the pipeline: whatever any node of the
   * connected graph still holds (buffers, timed windows, async calls, distributed tasks).
   */
  async drain(): Promise<void> {
    for (;;) {
      const waits: Promise<void>[] = [];
      for (const node of this.graph()) {
        const wait = node.settled();
        if (wait !== undefined) waits.push(wait);
      }
      if (waits.length === 0) return;
      await Promise.all(waits);
    }
  }

  /** Every node reachable from this one, up and down, this one first. */
  graph(): Stream<unknown>[] {
    const seen = new Set<Stream<unknown>>([this]);
    const order: Stream<unknown>[] = [this];
    for (let i = 0; i < order.length; i++) {
      for (const next of [...order[i].upstreams, ...order[i].downstreams]) {
        if (!seen.has(next)) {
          seen.add(next);
          order.push(next);
        }
      }
    }
    return order;
  }

  /** The graph of every node reachable from this one as Mermaid or Graphviz text. */
  visualize(options: { format?: GraphFormat } = {}): string {
    return renderGraph(graphOf(this), options.format ?? 'mermaid');
  }

  toString(): string {
    const head = this.name === undefined ? this.kind : `${this.name}; ${this.kind}`;
    const detail = this.describe();
    return detail ? `<${head}: ${detail}>` : `<${head}>`;
  }

  /** Failures that no `emit` caller can receive. With no subscriber anywhere in the graph they are logged. */
  get errors(): Stream<PipelineError> {
    this.errorStream ??= new Stream<PipelineError>({ name: 'errors' });
    return this.errorStream;
  }

  /**
   * Sends a failure of this node to the `errors` stream of every node in its graph that has a
   * subscriber, or logs it when none has. Never throws.
   */
  reportError(element: unknown, error: unknown): void {
    const failure = toPipelineError(String(this), element, error);
    this.failures++;
    reportFailure(this, element, failure);
    if (!this.publishError(failure)) console.error(`rivulet: ${failure.message}`, failure.error);
  }

  /**
   * Sends `failure` to the `errors` subscribers in this node's graph and returns whether there
   * were any. Nothing is logged: for failures a caller receives as well (a rejected `start()`).
   */
  protected publishError(failure: PipelineError): boolean {
    let delivered = false;
    for (const node of this.graph()) {
      const errors = node.errorStream;
      if (errors === undefined || errors.downstreams.length === 0) continue;
      delivered = true;
      try {
        const result = errors.emit(failure);
        if (result !== undefined) result.catch((cause) => console.error('rivulet: an errors subscriber failed', cause));
      } catch (cause) {
        console.error('rivulet: an errors subscriber failed', cause);
      }
    }
    return delivered;
  }

  /**
   * Adds a method to every stream: `stream[name](...args)` returns `factory(stream, ...args)`.
   * Throws if a method of that name exists.
   */
  static registerApi<A extends unknown[], R>(name: string, factory: OperatorFactory<A, R>): void {
    if (typeof name !== 'string' || name.length === 0) throw new ArgumentTypeError('name', 'a non-empty string', name);
    if (typeof factory !== 'function') throw new ArgumentTypeError('factory', 'a function', factory);
    if (name in Stream.prototype) throw new Error(`Stream already has a method named '${name}'`);
    Object.defineProperty(Stream.prototype, name, {
      value: function (this: Stream<unknown>, ...args: A): R {
        return factory(this, ...args);
      },
      writable: true,
      configurable: true,
    });
  }

  /**
   * Counts `work` as an element this node holds until it settles; returns a promise that settles
   * the same way. Drives `paused` and lets `drain()` wait for it.
   */
  protected hold(work: Promise<void>): Promise<void> {
    this.holdStarted();
    return work.finally(this.holdEnded);
  }

  /** For nodes that hold elements without a promise per element (queues, windows). */
  protected holdStarted(): void {
    if (this.heldCount++ === 0 && !this.pausedReported) {
      this.pausedReported = true;
      this.lifecycle.send({ type: 'HOLD' });
    }
  }

  protected readonly holdEnded = (): void => {
    if (--this.heldCount > 0) return;
    const waiters = this.settleWaiters;
    if (waiters.length > 0) {
      this.settleWaiters = [];
      for (const resolve of waiters) resolve();
    }
    if (!this.releaseScheduled) {
      this.releaseScheduled = true;
      setImmediate(this.reportRelease);
    }
  };

  /** Reports `running` again once the node stayed empty for a turn of the event loop. */
  private readonly reportRelease = (): void => {
    this.releaseScheduled = false;
    if (this.heldCount > 0 || !this.pausedReported) return;
    this.pausedReported = false;
    this.lifecycle.send({ type: 'RELEASE' });
  };

  /** `undefined` when this node holds nothing; otherwise a promise for when it holds nothing. */
  protected settled(): Promise<void> | undefined {
    if (this.heldCount === 0) return undefined;
    if (this.pausedReported) this.lifecycle.send({ type: 'DRAIN' });
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  /**
   * Counts a synchronous throw out of `from.update` on `from`, once: on its way out it passes every
   * upstream's `emit`, which sees it come out of the node that caught it last. Returns the error.
   */
  private caught(from: Stream<unknown>, element: unknown, error: unknown): unknown {
    if (error !== lastThrown || from !== lastCatcher) {
      from.failures++;
      reportFailure(from, element, error);
    }
    if (lastCatcher === undefined) queueMicrotask(forgetLastThrow);
    lastThrown = error;
    lastCatcher = this;
    return error;
  }

  private activate(): void {
    this.outlet.active = true;
    this.lifecycle.send({ type: 'ACTIVATE' });
  }

  /** Marks a node that receives elements without emitting (a sink) as running. */
  protected markActive(): void {
    if (!this.outlet.active) this.activate();
  }

  protected markStarted(): void {
    this.outlet.active = true;
    this.lifecycle.send({ type: 'START' });
  }

  protected markStopped(): void {
    this.lifecycle.send({ type: 'STOP' });
  }

  protected markFinished(): void {
    this.lifecycle.send({ type: 'FINISH' });
  }

  protected markFailed(error: unknown): void {
    this.lifecycle.send({ type: 'FAIL', error });
  }
}

/**
 * What `emit` reads of a node, in one object of one shape: `emit` is shared by every node class, so
 * it pays for one polymorphic field read (`outlet`) instead of one per field. `emitted` is always
 * counted (the inspector and metrics read it; nothing is installed on a node to observe it).
 */
class Outlet {
  /**
   * Replaced, never mutated, on connect/disconnect: an `emit` in progress keeps iterating the
   * array it started with, so a downstream that disconnects (itself or another) mid-emit never
   * makes the loop skip one.
   */
  downstreams: readonly Stream<unknown>[] = [];
  active = false;
  emitted = 0;
}

/** The last synchronous throw seen by `caught`, and the node whose `emit` caught it (until the throw is over). */
let lastThrown: unknown = undefined;
let lastCatcher: Stream<unknown> | undefined = undefined;

function forgetLastThrow(): void {
  lastThrown = undefined;
  lastCatcher = undefined;
}

function remove<T>(array: T[], item: T): boolean {
  const index = array.indexOf(item);
  if (index < 0) return false;
  array.splice(index, 1);
  return true;
}
