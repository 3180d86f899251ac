/**
 * The client end of a durable segment (`scatter({ durable })`): tasks and results live in
 * JetStream, so a process killed and started again with the same pipeline resumes.
 *
 * An element's way: submit → stored in the task stream (its stream sequence is its sequence; the
 * `emit` resolves here) → a worker of the pool pulls it → its result is stored in the result
 * stream and then the task acknowledged → the gather reads results, puts them in order and
 * delivers them → the task stream is trimmed up to the delivered element (confirmation) → the
 * result is acknowledged (and goes).
 *
 * The task stream's first sequence is therefore the next element to deliver: that is where a
 * restarted process resumes. Results delivered and not yet confirmed when the process died come
 * again; at most `credits` of them, because delivery waits while that many are unconfirmed. A
 * result delivered again comes in a message the server delivered before (`redelivered`), or, when
 * a worker died between storing a result and acknowledging its task, in a second message from the
 * task's next attempt (`attempt` > 0, or an attempt whose lease ran out, stored `late`): the
 * segment marks both as possible repeats (the second kind only for elements stored before it
 * opened, the only ones a previous run can have delivered).
 *
 * A result message carries the results of several tasks (workers store them in batches); it is
 * acknowledged once every result in it that was not a copy was delivered and confirmed.
 */
import { jetstream, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ClientClosingError, describeError, DurableSegmentError } from '../../errors';
import { Ticker } from '../../links/ticker';
import { systemScheduler } from '../../scheduler';
import type { Emitted } from '../../stream';
import { Codec } from '../../transport/codec';
import { withinBound } from '../../util/bounded';
import { toPublishError } from '../../transport/jetstream';
import type { CompiledChain } from '../compiled-chain';
import type { WireResult } from '../protocol';
import { announceSubject, GATHER_CONSUMER, type DurableNames } from './durable-names';
import { durableTask, readDurableResults, type ReadResults } from './durable-protocol';
import { ensureDurableSegment, taskRange } from './durable-streams';
import type { Subjects } from '../subjects';
import type { SegmentView } from '../../inspect/segments';

/** How an element left a durable segment. */
export interface DurableDelivery {
  /** The element's sequence in the segment (its task's stream sequence): the same on every delivery. */
  readonly seq: number;
  /**
   * The result was delivered before, to a process that died before it confirmed it: the sink may
   * have it already (only such elements can come twice).
   */
  readonly repeat: boolean;
}

export interface DurableSegmentOutput {
  emit(value: unknown, delivery: DurableDelivery): Emitted;
  reportError(element: unknown, error: unknown): void;
  segmentHolds(): void;
  segmentReleased(): void;
}

export interface DurableSegmentOptions {
  readonly names: DurableNames;
  readonly subjects: Subjects;
  /** Tasks the pool holds at once, and results delivered and not yet confirmed at most. */
  readonly credits: number;
  /** Milliseconds a task or result may go unacknowledged without a lease renewal. */
  readonly ackWait: number;
  /** Milliseconds an `emit` keeps trying to store its task (through a server restart) before it rejects. */
  readonly publishTimeout: number;
}

/** A result message read, and how many of its results wait for delivery or confirmation. */
interface ResultMessage {
  readonly msg: JsMsg;
  waiting: number;
}

interface Held {
  readonly message: ResultMessage;
  readonly result: WireResult;
  /** Another result may have been stored for the element: a second attempt's, or one whose lease ran out. */
  readonly secondCopyPossible: boolean;
}

/** Pause between attempts to store a task, or to confirm deliveries, while the server does not answer. */
const RETRY_PAUSE = 250;
/** Milliseconds each attempt to store a task waits for the server's acknowledgement. */
const PUBLISH_ATTEMPT_TIMEOUT = 2_000;
/** Attempts to hand downstream a value whose emit rejects (a sink that could not store it, e.g. during a server restart) before it is reported and confirmed. */
const DELIVERY_ATTEMPTS = 6;
/** Milliseconds `close()` waits to confirm the last deliveries (unconfirmed ones come again, marked, in the next run). */
const CLOSE_CONFIRM_BOUND = 2_000;

export class DurableSegment implements SegmentView {
  /** Tasks stored by this process. */
  stored = 0;
  /** Elements found stored and not delivered when the segment opened (a previous run's). */
  recovered = 0;
  /** Results delivered downstream. */
  delivered = 0;
  /** Deliveries marked `repeat` (delivered before by a process that died before confirming). */
  repeats = 0;
  /** Results dropped: their element was delivered already. */
  duplicates = 0;
  /** Results read, duplicates and failures included. */
  resultsReceived = 0;
  /** Result messages read (each carries one or more results). */
  resultMessages = 0;
  private readonly codec = new Codec();
  private readonly instance = `${process.pid}-${Date.now().toString(36)}`;
  private publishes = 0;
  private manager: JetStreamManager | undefined = undefined;
  private client: JetStreamClient | undefined = undefined;
  private messages: ConsumerMessages | undefined = undefined;
  private markReady: () => void = () => {};
  private markFailed: (error: unknown) => void = () => {};
  private readonly ready = new Promise<void>((resolve, reject) => {
    this.markReady = resolve;
    this.markFailed = reject;
  });
  private opened = false;
  private closed = false;
  private failure: Error | undefined = undefined;
  /** The next element to deliver and the last one stored (by any run). */
  private nextDelivery = 1;
  private lastStored = 0;
  /** The last element stored before this run opened: only these can have been delivered by a previous run. */
  private storedBeforeOpen = 0;
  private publishing = 0;
  private readonly arrived = new Map<number, Held>();
  /** Messages with results waiting, by stream sequence. */
  private readonly messagesHeld = new Map<number, ResultMessage>();
  /** Delivered, waiting for the task stream to be trimmed past them before they are acknowledged. */
  private unconfirmed: Held[] = [];
  /** Deliveries in the confirmation now out: they count against `credits` until it succeeded (a crash meanwhile repeats them). */
  private beingConfirmed = 0;
  private confirmedUpTo = 0;
  private confirming: Promise<void> | undefined = undefined;
  private delivering = false;
  private holding = false;
  private readonly lease: Ticker;

  constructor(
    private readonly options: DurableSegmentOptions,
    private readonly output: DurableSegmentOutput,
  ) {
    this.lease = new Ticker(systemScheduler, Math.max(1, Math.floor(options.ackWait / 3)), this.renewLeases);
    this.ready.catch(() => undefined);
    this.updateHold();
  }

  get name(): string {
    return this.options.names.durable;
  }

  /** What the inspector and the metrics read of a segment: */
  get id(): string {
    return `durable-${this.name}`;
  }

  get tasksSent(): number {
    return this.stored;
  }

  /** Retries and re-sends happen on the workers (JetStream redeliveries): none are seen here. */
  readonly retries = 0;
  readonly resent = 0;

  /** Deliveries that may be confirmed before delivery stops. */
  get availableCredits(): number {
    return this.options.credits - this.unconfirmedResults;
  }

  /** Results here: waiting for an earlier one, or delivered and not confirmed. */
  get tasksInFlight(): number {
    return this.arrived.size + this.unconfirmedResults;
  }

  get scatterState(): string {
    return this.closed ? 'draining' : 'dispatching';
  }

  get gatherState(): string {
    if (this.delivering && this.availableCredits === 0) return 'blocked';
    return this.pendingElements > 0 ? 'collecting' : 'idle';
  }

  /** Elements stored and not delivered yet, and tasks still being stored. */
  get pendingElements(): number {
    return this.publishing + Math.max(0, this.lastStored - this.nextDelivery + 1);
  }

  /** Results delivered and not yet confirmed: these can come again after a crash. */
  get unconfirmedResults(): number {
    return this.unconfirmed.length + this.beingConfirmed;
  }

  /** Sets up the streams and consumers, finds where the last run stopped, starts reading results. */
  attach(connection: NatsConnection): void {
    this.open(connection).then(this.markReady, (error: unknown) => this.fail(error));
  }

  /** Stores the element's task; resolves once the server stored it. */
  submit(value: unknown, chain: CompiledChain): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new ClientClosingError());
    if (chain.sequential) {
      return Promise.reject(new DurableSegmentError(this.name, 'accumulate/scan carry state from one element to the next, which a durable segment cannot recover: gather before them'));
    }
    const payload = this.codec.encode(durableTask(chain.steps, chain.policy, value));
    this.publishing++;
    this.updateHold();
    return this.store(payload).finally(() => {
      this.publishing--;
      this.updateHold();
    });
  }

  stopAccepting(): void {
    this.closed = true;
  }

  /** `close()` gave up waiting: stored elements stay stored for the next run. */
  abandon(error: Error): void {
    this.failure ??= error;
    this.markFailed(error);
    this.closed = true;
    this.updateHold();
  }

  /** Confirms what was delivered, stops reading results; undelivered results stay for the next run. */
  async close(): Promise<void> {
    this.closed = true;
    this.lease.stop();
    await withinBound(this.confirmAll(), CLOSE_CONFIRM_BOUND);
    const messages = this.messages;
    this.messages = undefined;
    await messages?.close();
  }

  private async open(connection: NatsConnection): Promise<void> {
    const { names, credits, ackWait } = this.options;
    // Results wait unacknowledged until every earlier one is there: no limit, or a slow element could stop them all.
    this.manager = await ensureDurableSegment(connection, names, { credits, window: -1, ackWait });
    this.client = jetstream(connection, { timeout: PUBLISH_ATTEMPT_TIMEOUT });
    const range = await taskRange(this.manager, names);
    this.nextDelivery = range.next;
    this.confirmedUpTo = range.next - 1;
    this.lastStored = Math.max(this.lastStored, range.last);
    this.storedBeforeOpen = range.last;
    this.recovered = range.last - range.next + 1;
    const consumer = await this.client.consumers.get(names.resultStream, GATHER_CONSUMER);
    this.messages = await consumer.consume({ max_messages: Math.max(64, 4 * credits), callback: this.receive });
    connection.publish(announceSubject(this.options.subjects));
    this.lease.start();
    this.opened = true;
    this.updateHold();
    // Results may have come while the consumer started.
    this.pump();
  }

  private fail(error: unknown): void {
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.markFailed(this.failure);
    this.output.reportError(undefined, this.failure);
    this.updateHold();
  }

  /** Publishes with one message id until stored (a retry after a lost acknowledgement is stored once), or until `publishTimeout`. */
  private async store(payload: Uint8Array): Promise<void> {
    await this.ready;
    const msgID = `${this.instance}.${++this.publishes}`;
    const deadline = Date.now() + this.options.publishTimeout;
    const subject = this.options.names.taskSubject;
    for (;;) {
      try {
        const ack = await (this.client as JetStreamClient).publish(subject, payload, { msgID });
        this.lastStored = Math.max(this.lastStored, ack.seq);
        if (!ack.duplicate) this.stored++;
        return;
      } catch (error) {
        if (Date.now() + RETRY_PAUSE > deadline) throw toPublishError(subject, error);
      }
      await pause(RETRY_PAUSE);
    }
  }

  private readonly receive = (msg: JsMsg): void => {
    this.resultMessages++;
    let read: ReadResults;
    try {
      read = readDurableResults(this.codec.decode(msg.data));
    } catch (error) {
      msg.term();
      this.output.reportError(undefined, new Error(`dropped an unreadable result of durable segment '${this.name}': ${describeError(error)}`, { cause: error }));
      return;
    }
    const { results, late } = read;
    this.resultsReceived += results.length;
    if (this.messagesHeld.has(msg.seq)) {
      // A copy of a message held here (its lease ran out): the one held is acknowledged in time.
      this.duplicates += results.length;
      return;
    }
    const message: ResultMessage = { msg, waiting: 0 };
    for (const result of results) if (this.hold({ message, result, secondCopyPossible: result.attempt > 0 || late.has(result.seq) })) message.waiting++;
    if (message.waiting === 0) {
      msg.ack();
      return;
    }
    this.messagesHeld.set(msg.seq, message);
    this.pump();
  };

  /** Keeps the result for delivery, unless its element was delivered or another result for it is held. */
  private hold(held: Held): boolean {
    const seq = held.result.seq;
    if (seq < this.nextDelivery || this.arrived.has(seq)) {
      this.duplicates++;
      return false;
    }
    this.arrived.set(seq, held);
    return true;
  }

  private pump(): void {
    if (this.delivering || !this.opened) return;
    this.delivering = true;
    void this.deliverInOrder().finally(() => {
      this.delivering = false;
      if (this.canDeliver()) this.pump();
    });
  }

  private canDeliver(): boolean {
    return this.failure === undefined && this.unconfirmedResults < this.options.credits && this.arrived.has(this.nextDelivery);
  }

  private async deliverInOrder(): Promise<void> {
    while (this.canDeliver()) {
      const held = this.arrived.get(this.nextDelivery) as Held;
      this.arrived.delete(this.nextDelivery);
      await this.deliver(held);
      this.nextDelivery++;
      this.delivered++;
      this.unconfirmed.push(held);
      void this.confirm();
      this.updateHold();
    }
  }

  /** Emits the result's values one after the other (back pressure waits), or reports its failure. */
  private async deliver({ message, result, secondCopyPossible }: Held): Promise<void> {
    const delivery: DurableDelivery = { seq: result.seq, repeat: message.msg.info.redelivered || (secondCopyPossible && result.seq <= this.storedBeforeOpen) };
    if (delivery.repeat) this.repeats++;
    if (!result.ok) {
      const error = new Error(`task '${result.task}' failed for element ${result.seq} of durable segment '${this.name}': ${result.error.name}: ${result.error.message}`);
      this.output.reportError(undefined, error);
      return;
    }
    for (const value of result.values) await this.deliverValue(value, delivery);
  }

  /**
   * A rejected emit is not a delivery: the value is emitted again (marked `repeat`, the sink may
   * have done part of it) after a pause doubling from `RETRY_PAUSE`, and reported once the attempts are used up.
   */
  private async deliverValue(value: unknown, delivery: DurableDelivery): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.output.emit(value, attempt === 1 ? delivery : { seq: delivery.seq, repeat: true });
        return;
      } catch (error) {
        if (attempt === DELIVERY_ATTEMPTS || this.closed) {
          this.output.reportError(value, error);
          return;
        }
      }
      this.repeats++;
      await pause(RETRY_PAUSE * 2 ** (attempt - 1));
    }
  }

  /**
   * Trims the task stream past the delivered elements, then acknowledges their results. One
   * confirmation at a time: the next covers every delivery made while this one was out.
   */
  private confirm(): Promise<void> {
    if (this.confirming !== undefined || this.unconfirmed.length === 0 || this.manager === undefined) return this.confirming ?? Promise.resolve();
    const batch = this.unconfirmed;
    this.unconfirmed = [];
    this.beingConfirmed = batch.length;
    const upTo = batch[batch.length - 1].result.seq;
    this.confirming = this.manager.streams.purge(this.options.names.taskStream, { seq: upTo + 1 }).then(
      () => {
        this.beingConfirmed = 0;
        for (const { message } of batch) this.release(message);
        this.confirmedUpTo = upTo;
        this.confirming = undefined;
        void this.confirm();
        this.pump();
      },
      async () => {
        this.beingConfirmed = 0;
        this.unconfirmed = [...batch, ...this.unconfirmed];
        await pause(RETRY_PAUSE);
        this.confirming = undefined;
        if (!this.closed) void this.confirm();
      },
    );
    return this.confirming;
  }

  /** One of the message's results was confirmed: the message goes once none waits. */
  private release(message: ResultMessage): void {
    if (--message.waiting > 0) return;
    message.msg.ack();
    this.messagesHeld.delete(message.msg.seq);
  }

  private async confirmAll(): Promise<void> {
    await this.confirming;
    if (this.unconfirmed.length > 0) await this.confirm();
  }

  private readonly renewLeases = (): void => {
    for (const { msg } of this.messagesHeld.values()) msg.working();
  };

  /** The gather node holds (for `drain()`) from the start until every stored element was delivered. */
  private updateHold(): void {
    const busy = this.failure === undefined && (!this.opened || this.publishing > 0 || this.nextDelivery <= this.lastStored);
    if (busy === this.holding) return;
    this.holding = busy;
    if (busy) this.output.segmentHolds();
    else this.output.segmentReleased();
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
