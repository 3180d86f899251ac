/**
 * The producing end of a flow-controlled link. It publishes an element only while it holds a
 * credit and otherwise makes the `send` wait, keeping every published element until a consumer
 * acknowledged it (so memory stays within the credits the consumers grant together).
 *
 * Where a message goes is the server's choice, among the consumers of the queue group that still
 * have a free credit (see `Membership`); when none has, the server answers "no responders", and
 * the producer keeps the message, stops publishing and asks the consumers to announce credits.
 * A message that no live consumer claims for a few status intervals (its consumer died, or it was
 * lost on a reconnect) is sent again.
 */
import { createActor, type Actor } from 'xstate';
import type { Msg, Subscription as NatsSubscription } from '@nats-io/transport-node';
import { linkProducerMachine, type LinkProducerState } from '../actors/link-producer';
import { reportInspection } from '../actors/inspection';
import type { Scheduler } from '../scheduler';
import { BusClosedError, type Subscription } from '../transport/bus';
import { Codec, EncodeError, type CodecLimits } from '../transport/codec';
import type { NatsBus } from '../transport/nats-bus';
import { PROTOCOL_VERSION } from '../distributed/protocol';
import { Fifo } from '../util/fifo';
import { CoalescedCall } from './coalesced-call';
import { ConsumerRegistry } from './consumer-registry';
import { readConsumerReport, readConsumerStatus, type ConsumerReport, type ConsumerStatus, type CreditCall } from './link-protocol';
import { consumersSubject, isReportSubject, newProducerId, waitingSubject } from './link-subjects';
import { Pressure } from './pressure';
import { Ticker } from './ticker';

const NO_RESPONDERS = 503;

export interface LinkProducerOptions {
  readonly subject: string;
  /** Milliseconds between checks for lost messages and silent consumers. */
  readonly heartbeatInterval: number;
  readonly scheduler: Scheduler;
  readonly limits?: CodecLimits;
  /** Failures no `send` caller can receive, such as a malformed message from a consumer. */
  readonly onError: (error: unknown) => void;
}

/** A published element nobody acknowledged yet. */
interface Unacked {
  readonly seq: number;
  readonly bytes: Uint8Array;
  readonly reply: string;
  /** The check (tick) in which a consumer last said it holds the message, or it was published. */
  claimedTick: number;
  /** The credit epoch it was published in: a "no responders" from an older one does not block. */
  epoch: number;
  /** Waiting to be sent again. */
  queued: boolean;
  done: boolean;
}

interface WaitingSend {
  readonly value: unknown;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class LinkProducer {
  readonly id = newProducerId();
  private readonly replyPrefix = `${this.id}.`;
  private readonly actor: Actor<typeof linkProducerMachine>;
  private readonly consumers: ConsumerRegistry;
  private readonly ticker: Ticker;
  private readonly saturation: Pressure;
  private readonly codec: Codec;
  /** Messages to publish at the end of this turn, together (one socket write instead of one each). */
  private outgoing: Unacked[] = [];
  private readonly flushSoon = new CoalescedCall(() => this.flush(), setImmediate);
  private readonly unacked = new Map<number, Unacked>();
  private readonly resend = new Fifo<Unacked>();
  private readonly waiting = new Fifo<WaitingSend>();
  private idleWaiters: Array<() => void> = [];
  private bus: NatsBus | undefined = undefined;
  private inbox: NatsSubscription | undefined = undefined;
  private statusSubscription: Subscription | undefined = undefined;
  private unfollowBus: (() => void) | undefined = undefined;
  private lastSeq = 0;
  private blocked = false;
  private epoch = 0;
  /** Checks done so far: ages of messages count in checks, so a late timer never makes one look old. */
  private ticks = 0;
  private consumersPresent = false;
  private closed = false;
  /** Messages sent again (no responders, released by a stopping consumer, or unclaimed too long). */
  resent = 0;
  /** "No responders" answers: a message found no consumer with a free credit. */
  refusals = 0;

  constructor(private readonly options: LinkProducerOptions) {
    this.consumers = new ConsumerRegistry(options.heartbeatInterval);
    this.codec = new Codec(options.limits);
    this.ticker = new Ticker(options.scheduler, options.heartbeatInterval, this.tick);
    this.actor = createActor(linkProducerMachine, { id: `link-producer-${this.id}`, inspect: reportInspection });
    this.actor.subscribe({ error: options.onError });
    this.actor.start();
    this.saturation = new Pressure((raised) => this.actor.send({ type: 'CREDITS', available: !raised }));
  }

  /** The xstate id of the link's actor. */
  get actorId(): string {
    return this.actor.id;
  }

  get state(): LinkProducerState {
    return this.actor.getSnapshot().value as LinkProducerState;
  }

  /** Elements published and not yet acknowledged by a consumer. */
  get unacknowledged(): number {
    return this.unacked.size;
  }

  /** The most elements kept unacknowledged: the credits of the consumers heard from lately. */
  get window(): number {
    return this.consumers.credits;
  }

  /** Credits free now: the window less the elements unacknowledged; none while the consumers refuse messages. */
  get availableCredits(): number {
    return this.blocked ? 0 : Math.max(0, this.consumers.credits - this.unacked.size);
  }

  /** Consumers heard from lately. */
  get consumerCount(): number {
    return this.consumers.size;
  }

  /** Elements published since the link was built (each counted once, however often it was sent again). */
  get sent(): number {
    return this.lastSeq;
  }

  /** `send` calls waiting for a credit (emits that wait). */
  get waitingSends(): number {
    return this.waiting.length;
  }

  /** Starts publishing over `bus` (sends before this wait). */
  attach(bus: NatsBus): void {
    if (this.closed) return;
    this.bus = bus;
    this.inbox = bus.connection.subscribe(`${this.id}.*`, { callback: this.onInbox });
    this.statusSubscription = bus.subscribe(consumersSubject(this.options.subject), this.onStatus);
    this.unfollowBus = bus.onStatus((event) => {
      if (event.status === 'connected') this.callForCredits();
      else if (event.status === 'closed') this.close();
    });
    this.actor.send({ type: 'CONNECTED' });
    this.ticker.start();
    this.callForCredits();
  }

  /**
   * Sends `value` now if a credit is free (returns `undefined`; the write goes out with the rest of
   * the turn's), else returns a promise that resolves once it was sent. A value the codec cannot
   * encode throws (or rejects) with an `EncodeError`.
   */
  send(value: unknown): Promise<void> | undefined {
    if (this.waiting.length === 0 && this.hasCredit()) {
      this.publishNew(value);
      return undefined;
    }
    if (this.closed) return Promise.reject(new BusClosedError(`send to link '${this.options.subject}'`));
    if (this.bus !== undefined) this.saturation.raise();
    // nothing more goes out before credits come back: no reason to wait for the end of the turn
    this.flush();
    return new Promise<void>((resolve, reject) => this.waiting.push({ value, resolve, reject }));
  }

  /** `undefined` when nothing waits to be sent or acknowledged, else a promise for that moment. */
  whenIdle(): Promise<void> | undefined {
    if (this.isIdle()) return undefined;
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops; sends still waiting reject, and unacknowledged elements are given up. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ticker.stop();
    this.unfollowBus?.();
    this.inbox?.unsubscribe();
    this.statusSubscription?.unsubscribe();
    const error = new BusClosedError(`send to link '${this.options.subject}'`);
    while (this.waiting.length > 0) this.waiting.shift().reject(error);
    this.unacked.clear();
    this.settleIdle();
    this.actor.send({ type: 'CLOSED' });
    this.actor.stop();
  }

  private hasCredit(): boolean {
    return this.bus !== undefined && !this.closed && !this.blocked && this.resend.length === 0 && this.unacked.size < this.consumers.credits;
  }

  private isIdle(): boolean {
    return this.unacked.size === 0 && this.waiting.length === 0;
  }

  /** Encodes `value` now (so the `emit` gets any `EncodeError`) and publishes it at the end of the turn. */
  private publishNew(value: unknown): void {
    const bytes = this.encode(value);
    const seq = ++this.lastSeq;
    const entry: Unacked = { seq, bytes, reply: this.replyPrefix + seq, claimedTick: this.ticks, epoch: this.epoch, queued: false, done: false };
    this.unacked.set(seq, entry);
    this.publishSoon(entry);
  }

  private encode(value: unknown): Uint8Array {
    const bytes = this.codec.encode(value);
    const limit = this.bus?.connection.info?.max_payload;
    if (limit !== undefined && bytes.length > limit) {
      throw new EncodeError(`encoded message is ${bytes.length} bytes, over the server's ${limit} byte max_payload`);
    }
    return bytes;
  }

  private publishSoon(entry: Unacked): void {
    this.outgoing.push(entry);
    this.flushSoon.request();
  }

  private readonly flush = (): void => {
    const outgoing = this.outgoing;
    this.outgoing = [];
    const bus = this.bus;
    if (bus === undefined || this.closed) return;
    try {
      for (const entry of outgoing) {
        if (!entry.done) bus.connection.publish(this.options.subject, entry.bytes, { reply: entry.reply });
      }
    } catch (error) {
      // the connection closed: the link closes with it (see attach)
      this.options.onError(error);
    }
  };

  /** Sends what waits, oldest first: elements to send again, then new ones while credits last. */
  private pump(): void {
    if (this.bus === undefined || this.closed || this.consumers.credits === 0) return;
    while (!this.blocked && this.resend.length > 0) {
      const entry = this.resend.shift();
      if (!entry.done) this.republish(entry);
    }
    while (!this.blocked && this.waiting.length > 0 && this.unacked.size < this.consumers.credits) {
      const next = this.waiting.shift();
      try {
        this.publishNew(next.value);
        next.resolve();
      } catch (error) {
        next.reject(error);
      }
    }
    if (this.waiting.length > 0) this.flush();
  }

  private republish(entry: Unacked): void {
    entry.queued = false;
    entry.claimedTick = this.ticks;
    entry.epoch = this.epoch;
    this.resent++;
    this.publishSoon(entry);
  }

  private queueForResend(entry: Unacked): void {
    if (entry.queued || entry.done) return;
    entry.queued = true;
    this.resend.push(entry);
  }

  private readonly onInbox = (error: Error | null, msg: Msg): void => {
    if (error !== null || this.closed) return;
    if (msg.headers?.code === NO_RESPONDERS) {
      this.noResponders(Number(msg.subject.slice(this.replyPrefix.length)));
      return;
    }
    if (!isReportSubject(msg.subject, this.id)) return;
    try {
      this.onReport(readConsumerReport(this.codec.decode(msg.data)));
    } catch (failure) {
      this.options.onError(failure);
    }
  };

  private noResponders(seq: number): void {
    const entry = this.unacked.get(seq);
    if (entry === undefined || entry.queued) return;
    this.refusals++;
    this.queueForResend(entry);
    if (entry.epoch !== this.epoch || this.blocked) return;
    this.blocked = true;
    this.saturation.raise();
    this.callForCredits();
  }

  private onReport(report: ConsumerReport): void {
    for (const seq of report.acked) {
      const entry = this.unacked.get(seq);
      if (entry === undefined) continue;
      entry.done = true;
      this.unacked.delete(seq);
    }
    if (report.released !== undefined) {
      for (const seq of report.released) {
        const entry = this.unacked.get(seq);
        if (entry !== undefined) this.queueForResend(entry);
      }
    }
    // a consumer renews its credits before it acknowledges
    if (report.acked.length > 0) this.unblock();
    this.pump();
    if (this.isIdle()) this.settleIdle();
  }

  private readonly onStatus = (message: { data: unknown }): void => {
    if (this.closed) return;
    let status: ConsumerStatus;
    try {
      status = readConsumerStatus(message.data);
    } catch (error) {
      this.options.onError(error);
      return;
    }
    this.consumers.heard(status, this.options.scheduler.now());
    this.notePresence();
    this.noteClaims(status);
    if (status.free > 0) this.unblock();
    this.pump();
  };

  /** Messages the consumer still holds are not lost. */
  private noteClaims(status: ConsumerStatus): void {
    for (const [producer, seqs] of status.held) {
      if (producer !== this.id) continue;
      for (const seq of seqs) {
        const entry = this.unacked.get(seq);
        if (entry !== undefined && !entry.queued) entry.claimedTick = this.ticks;
      }
    }
  }

  private unblock(): void {
    if (!this.blocked) return;
    this.blocked = false;
    this.epoch++;
  }

  private readonly tick = (): void => {
    this.ticks++;
    if (this.consumers.expire(this.options.scheduler.now())) this.notePresence();
    const unclaimedTicks = Math.ceil(this.consumers.claimTimeout / this.options.heartbeatInterval);
    for (const entry of this.unacked.values()) {
      if (!entry.queued && this.ticks - entry.claimedTick > unclaimedTicks) this.queueForResend(entry);
    }
    // a call for credits, or the answers to it, may have been lost
    if (this.blocked) this.callForCredits();
    this.pump();
    this.saturation.settle(this.waiting.length > 0 || this.blocked);
  };

  private notePresence(): void {
    const present = this.consumers.size > 0;
    if (present === this.consumersPresent) return;
    this.consumersPresent = present;
    this.actor.send({ type: 'CONSUMERS', present });
  }

  private callForCredits(): void {
    const bus = this.bus;
    if (bus === undefined || this.closed || bus.status !== 'connected') return;
    const call: CreditCall = { v: PROTOCOL_VERSION, producer: this.id };
    try {
      bus.publish(waitingSubject(this.options.subject), call);
    } catch (error) {
      this.options.onError(error);
    }
  }

  private settleIdle(): void {
    const waiters = this.idleWaiters;
    if (waiters.length === 0) return;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
