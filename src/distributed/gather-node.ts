/**
 * `gather()` on a distributed stream: the end of a segment. It hands each element to the
 * segment's dispatcher (the scatter side), receives result batches, drops duplicates by sequence
 * number, re-orders (unless `ordered: false`), delivers downstream and, once downstream accepted
 * a result, grants the dispatcher its credit back over the control bus.
 */
import { createActor, type Actor } from 'xstate';
import { gatherMachine, type GatherState } from '../actors/gather';
import { PipelineError } from '../errors';
import { reportInspection } from '../inspect/inspection';
import { Stream, type Emitted, type StreamOptions } from '../stream';
import { Fifo } from '../util/fifo';
import type { Message } from '../transport/bus';
import { PROTOCOL_VERSION, readResultBatch, type CreditGrant, type ResultBatch, type TaskFailure, type WireResult } from '../transport/protocol';
import type { Client, Segment } from './client';
import { Dispatcher, type TaskEntry } from './dispatcher';
import { RejectionLog } from './rejection-log';
import { RemoteValue } from './remote';

export interface GatherOptions extends StreamOptions {
  /** Deliver results in emission order (default) or as they complete. */
  ordered?: boolean;
}

interface Arrival {
  readonly entry: TaskEntry;
  /** `undefined` for an element abandoned when `close()` timed out. */
  readonly result: WireResult | undefined;
}

export class GatherNode<T> extends Stream<T> implements Segment {
  readonly dispatcher: Dispatcher;
  readonly pipeline: string;
  /** Results dropped because their sequence number was already delivered (re-sent tasks). */
  duplicates = 0;
  private readonly ordered: boolean;
  private readonly arrived = new Map<number, Arrival>();
  private readonly queue = new Fifo<Arrival>();
  private nextSeq = 0;
  private blocked = false;
  private outstanding = 0;
  private grants = 0;
  private readonly creditSubject: string;
  private abandonedBy: Error | undefined = undefined;
  private readonly actor: Actor<typeof gatherMachine>;
  /** The state the actor was last told; it lags behind when the node calms down (see `reportState`). */
  private reported: GatherState = 'idle';
  private calmReport: NodeJS.Immediate | undefined = undefined;
  private readonly rejections = new RejectionLog('rivulet gather');

  constructor(
    upstream: Stream<unknown>,
    private readonly client: Client,
    credits: number,
    options: GatherOptions,
  ) {
    super(options, [upstream]);
    this.ordered = options.ordered ?? true;
    this.pipeline = client.newSegmentId();
    this.creditSubject = client.subjects.credit(this.pipeline);
    this.dispatcher = new Dispatcher({
      bus: () => client.taskBus,
      controlBus: client.controlBus,
      subjects: client.subjects,
      directory: client.directory,
      pipeline: this.pipeline,
      credits,
      lease: client.lease,
    });
    this.actor = createActor(gatherMachine, { id: `gather-${this.pipeline}`, inspect: reportInspection });
    this.actor.subscribe({ error: (error) => this.reportError(undefined, error) });
    this.actor.start();
    client.onReady((bus) => bus.subscribe(client.subjects.results(this.pipeline), this.onResults));
    client.track(this);
  }

  override get kind(): string {
    return 'gather';
  }

  get gatherState(): string {
    return this.actor.getSnapshot().value as string;
  }

  override update(x: unknown): Emitted {
    if (!(x instanceof RemoteValue)) return this.emit(x as T);
    if (x.tail === undefined) return this.emit(x.value as T);
    this.holdStarted();
    if (this.outstanding++ === 0) this.reportState();
    return this.dispatcher.submit(x.value, x.tail.chain);
  }

  private readonly onResults = (message: Message): void => {
    let batch: ResultBatch;
    try {
      batch = readResultBatch(message.data);
    } catch (error) {
      this.rejections.recordRefusal(error);
      return;
    }
    for (const result of batch.results) {
      const entry = this.dispatcher.complete(result);
      if (entry === 'retrying') continue;
      if (entry === 'duplicate') {
        this.duplicates++;
        continue;
      }
      if (this.ordered) this.arrived.set(entry.seq, { entry, result });
      else this.queue.push({ entry, result });
    }
    this.deliverReady();
  };

  private nextArrival(): Arrival | undefined {
    if (!this.ordered) return this.queue.length > 0 ? this.queue.shift() : undefined;
    const arrival = this.arrived.get(this.nextSeq);
    if (arrival !== undefined) {
      this.arrived.delete(this.nextSeq);
      this.nextSeq++;
    }
    return arrival;
  }

  private deliverReady(): void {
    while (!this.blocked) {
      const arrival = this.nextArrival();
      if (arrival === undefined) break;
      const pending = this.deliver(arrival);
      if (pending === undefined) {
        this.finish();
        continue;
      }
      this.blocked = true;
      this.reportState();
      pending.then(
        () => this.unblock(),
        (error: unknown) => {
          this.fail(arrival.entry, error);
          this.unblock();
        },
      );
    }
    this.grantCredits();
  }

  private unblock(): void {
    this.blocked = false;
    this.reportState();
    this.finish();
    this.deliverReady();
  }

  /** Emits a result's values downstream; a Promise while downstream applies back pressure. */
  private deliver({ entry, result }: Arrival): Promise<void> | undefined {
    if (result === undefined) {
      this.fail(entry, this.abandonedBy);
      return undefined;
    }
    if (!result.ok) {
      this.fail(entry, new PipelineError(String(this), entry.value, remoteError(result.error), result.task, entry.seq));
      return undefined;
    }
    try {
      const values = result.values;
      if (values.length === 1) return this.emit(values[0] as T) ?? undefined;
      for (let i = 0; i < values.length; i++) {
        const pending = this.emit(values[i] as T);
        if (pending !== undefined) return this.emitRest(pending, values, i + 1);
      }
    } catch (error) {
      this.fail(entry, error);
    }
    return undefined;
  }

  private async emitRest(pending: Promise<void>, values: unknown[], from: number): Promise<void> {
    await pending;
    for (let i = from; i < values.length; i++) await this.emit(values[i] as T);
  }

  /** A failure goes to the `emit` still waiting on the element, else to `errors`. */
  private fail(entry: TaskEntry, error: unknown): void {
    const owner = entry.owner;
    if (owner !== undefined) {
      entry.owner = undefined;
      owner.reject(error);
    } else {
      this.reportError(entry.value, error);
    }
  }

  private finish(): void {
    this.grants++;
    if (--this.outstanding === 0) this.reportState();
    this.holdEnded();
  }

  private get situation(): GatherState {
    return this.blocked ? 'blocked' : this.outstanding > 0 ? 'collecting' : 'idle';
  }

  /**
   * Tells the actor a busier state at once and a calmer one only once it held for a turn of the
   * event loop, so an emit-and-wait producer or a downstream that pushes back on every result does
   * not flip the state (two actor events) once per element.
   */
  private reportState(): void {
    const now = this.situation;
    if (now === this.reported) return;
    if (BUSYNESS[now] > BUSYNESS[this.reported]) this.tell(now);
    else this.calmReport ??= setImmediate(this.reportCalm);
  }

  private readonly reportCalm = (): void => {
    this.calmReport = undefined;
    this.tell(this.situation);
  };

  private tell(target: GatherState): void {
    let at = this.reported;
    if (at === target) return;
    if (at === 'blocked') {
      this.actor.send({ type: 'UNBLOCKED' });
      at = 'collecting';
    }
    if (target === 'blocked') this.actor.send({ type: 'BLOCKED' });
    else if (target === 'idle' && at === 'collecting') this.actor.send({ type: 'SETTLED' });
    else if (target === 'collecting' && at === 'idle') this.actor.send({ type: 'OUTSTANDING' });
    this.reported = target;
  }

  private grantCredits(): void {
    if (this.grants === 0 || this.client.controlBus.status === 'closed') return;
    const grant: CreditGrant = { v: PROTOCOL_VERSION, credits: this.grants };
    this.grants = 0;
    this.client.controlBus.publish(this.creditSubject, grant);
  }

  get pendingElements(): number {
    return this.outstanding;
  }

  abandon(error: Error): void {
    this.abandonedBy = error;
    for (const entry of this.dispatcher.abandon()) {
      if (this.ordered) this.arrived.set(entry.seq, { entry, result: undefined });
      else this.queue.push({ entry, result: undefined });
    }
    this.deliverReady();
  }

  async finishSegment(): Promise<void> {
    this.dispatcher.drainStarted();
    for (let wait = this.settled(); wait !== undefined; wait = this.settled()) await wait;
    this.dispatcher.drainEnded();
    this.dispatcher.close();
  }
}

const BUSYNESS: Readonly<Record<GatherState, number>> = { idle: 0, collecting: 1, blocked: 2 };

function remoteError(failure: TaskFailure): Error {
  const error = new Error(failure.message);
  error.name = failure.name;
  if (failure.stack !== undefined) error.stack = failure.stack;
  return error;
}
