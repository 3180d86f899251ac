/**
 * The consuming end of a flow-controlled link. It grants `credits`: it is a member of the queue
 * group for exactly its free credits (`Membership`), so it never holds more than `credits`
 * messages its pipeline has not accepted. It hands messages to its pipeline one at a time in
 * arrival order; once the pipeline accepted one (the emit settled), it joins for one more message
 * and acknowledges it to its producer, in batches (see `renew`).
 * On a timer it announces its credits and the messages it still holds, so producers can tell a
 * consumer that died and send its messages to another. A message it already has (its producer
 * sent it again) is acknowledged again and dropped.
 */
import { randomUUID } from 'node:crypto';
import { createActor, type Actor } from 'xstate';
import type { Msg } from '@nats-io/transport-node';
import { linkConsumerMachine, type LinkConsumerState } from '../actors/link-consumer';
import { reportInspection } from '../actors/inspection';
import type { Scheduler } from '../scheduler';
import type { Message, Subscription } from '../transport/bus';
import { Codec, type CodecLimits } from '../transport/codec';
import type { NatsBus } from '../transport/nats-bus';
import { PROTOCOL_VERSION } from '../distributed/protocol';
import { readCreditCall, type ConsumerReport, type ConsumerStatus, type HeldMessages } from './link-protocol';
import { consumersSubject, readOrigin, reportSubject, waitingSubject, type Origin } from './link-subjects';
import { CoalescedCall } from './coalesced-call';
import { Membership } from './membership';
import { Pressure } from './pressure';
import { SeenMessages } from './seen-messages';
import { Ticker } from './ticker';

/** Sequences remembered per producer for dropping duplicates, per credit (at least 1024). */
const SEEN_PER_CREDIT = 16;
const MIN_SEEN = 1024;

export interface LinkConsumerOptions {
  readonly subject: string;
  readonly queue: string;
  readonly credits: number;
  /** Milliseconds between status announcements. */
  readonly heartbeatInterval: number;
  readonly scheduler: Scheduler;
  readonly limits?: CodecLimits;
  /** Hands an element to the pipeline: `undefined` once accepted, else a promise (never rejecting) for that. */
  readonly deliver: (value: unknown) => Promise<void> | undefined;
  /** Whether messages wait to be handed over (so `drain()` waits for them). */
  readonly onBusy: (busy: boolean) => void;
  /** Failures no caller can receive, such as a message that cannot be decoded. */
  readonly onError: (element: unknown, error: unknown) => void;
}

/** A message received and not yet accepted by the pipeline. */
interface Held {
  readonly producer: string;
  readonly seq: number;
  readonly value: unknown;
}

export class LinkConsumer {
  readonly id = randomUUID();
  private readonly actor: Actor<typeof linkConsumerMachine>;
  private readonly codec: Codec;
  private readonly seen: SeenMessages;
  private readonly ticker: Ticker;
  private readonly saturation: Pressure;
  private readonly origin: Origin = { producer: '', seq: 0 };
  private readonly renewBatch: number;
  /** Renewals and reports go out once per batch of messages read together. */
  private readonly flushSoon = new CoalescedCall(() => this.flush(), queueMicrotask);
  /** Messages waiting while the pipeline works on `current`, from `queueHead` on. */
  private queue: Held[] = [];
  private queueHead = 0;
  private readonly acks = new Map<string, number[]>();
  private readonly releases = new Map<string, number[]>();
  private bus: NatsBus | undefined = undefined;
  private membership: Membership | undefined = undefined;
  private callSubscription: Subscription | undefined = undefined;
  private unfollowBus: (() => void) | undefined = undefined;
  private current: Held | undefined = undefined;
  private freed = 0;
  private announceOnRenewal = false;
  private receiving = false;
  private busy = false;
  /** Messages dropped because this consumer had them already. */
  duplicates = 0;

  constructor(private readonly options: LinkConsumerOptions) {
    this.codec = new Codec(options.limits);
    this.renewBatch = Math.ceil(options.credits / 4);
    this.seen = new SeenMessages(Math.max(MIN_SEEN, SEEN_PER_CREDIT * options.credits));
    this.ticker = new Ticker(options.scheduler, options.heartbeatInterval, this.tick);
    this.actor = createActor(linkConsumerMachine, { id: `link-consumer-${this.id}`, inspect: reportInspection });
    this.actor.subscribe({ error: (error) => options.onError(undefined, error) });
    this.actor.start();
    this.saturation = new Pressure((raised) => this.actor.send({ type: raised ? 'SATURATED' : 'UNSATURATED' }));
  }

  /** The xstate id of the link's actor. */
  get actorId(): string {
    return this.actor.id;
  }

  get state(): LinkConsumerState {
    return this.actor.getSnapshot().value as LinkConsumerState;
  }

  /** Joins the queue group with every credit and announces itself; resolves once the server has the membership. */
  async start(bus: NatsBus): Promise<void> {
    const { subject, queue, credits } = this.options;
    this.bus = bus;
    this.receiving = true;
    this.membership = new Membership(bus.connection, subject, queue, this.receive);
    this.membership.join(credits);
    this.callSubscription = bus.subscribe(waitingSubject(subject), this.onCreditCall);
    this.unfollowBus = bus.onStatus((event) => {
      if (event.status === 'connected') this.rejoin();
    });
    this.ticker.start();
    await bus.flush();
    this.actor.send({ type: 'JOINED' });
    this.announce();
  }

  /**
   * Leaves the queue group, gives back every message not yet handed to the pipeline (its producer
   * sends it to another consumer at once) and says it is leaving. The message the pipeline is
   * working on is acknowledged if it is accepted before the connection closes.
   */
  async stop(): Promise<void> {
    if (!this.receiving) return;
    this.receiving = false;
    this.actor.send({ type: 'LEAVE' });
    this.ticker.stop();
    this.callSubscription?.unsubscribe();
    this.unfollowBus?.();
    await this.membership?.leave();
    for (let i = this.queueHead; i < this.queue.length; i++) this.release(this.queue[i].producer, this.queue[i].seq);
    this.clearQueue();
    this.flush();
    this.announce(true);
    this.actor.send({ type: 'LEFT' });
    this.actor.stop();
  }

  private readonly receive = (msg: Msg): void => {
    const origin = readOrigin(msg.reply, this.origin);
    if (origin === undefined) {
      this.renew(1);
      this.options.onError(undefined, new Error(`link '${this.options.subject}': a message without a producer's reply subject (${msg.reply ?? 'none'}) was dropped`));
      return;
    }
    const { producer, seq } = origin;
    if (!this.seen.admit(producer, seq)) {
      this.duplicates++;
      this.accepted(producer, seq);
      return;
    }
    let value: unknown;
    try {
      value = this.codec.decode(msg.data);
    } catch (error) {
      this.options.onError(undefined, error);
      this.accepted(producer, seq);
      return;
    }
    if (!this.receiving) {
      this.release(producer, seq);
      return;
    }
    if (this.current !== undefined) {
      this.enqueue({ producer, seq, value });
      return;
    }
    const pending = this.options.deliver(value);
    if (pending === undefined) this.accepted(producer, seq);
    else this.awaitAcceptance({ producer, seq, value }, pending);
  };

  /** The pipeline takes `held` asynchronously: later messages queue until it accepted it. */
  private awaitAcceptance(held: Held, pending: Promise<void>): void {
    this.current = held;
    this.noteHeld();
    void pending.then(this.handedOver);
  }

  /** `current` was accepted: hands over the queued messages until the pipeline answers asynchronously. */
  private readonly handedOver = (): void => {
    const done = this.current as Held;
    this.current = undefined;
    this.accepted(done.producer, done.seq);
    while (this.queueHead < this.queue.length && this.receiving) {
      const next = this.queue[this.queueHead++];
      const pending = this.options.deliver(next.value);
      if (pending !== undefined) {
        this.awaitAcceptance(next, pending);
        return;
      }
      this.accepted(next.producer, next.seq);
    }
    // a stopping consumer leaves the rest for stop() to give back
    if (this.queueHead === this.queue.length) this.clearQueue();
    this.noteHeld();
  };

  /** Messages held: the one the pipeline works on and those queued behind it. */
  get held(): number {
    return (this.current === undefined ? 0 : 1) + this.queue.length - this.queueHead;
  }

  /** Messages received and not yet acknowledged to their producers: those held, and accepted ones whose acknowledgement waits for its batch. */
  get unacknowledged(): number {
    let batched = 0;
    for (const acked of this.acks.values()) batched += acked.length;
    return this.held + batched;
  }

  /** Credits the server may still use: messages it may hand this consumer before it renews. */
  get freeCredits(): number {
    return this.membership?.open ?? 0;
  }

  get credits(): number {
    return this.options.credits;
  }

  get queueGroup(): string {
    return this.options.queue;
  }

  /** Busy (`drain()` waits) while the pipeline works on a message; saturated when every credit holds one. */
  private noteHeld(): void {
    const busy = this.current !== undefined;
    if (busy !== this.busy) {
      this.busy = busy;
      this.options.onBusy(busy);
    }
    if (this.held >= this.options.credits) this.saturation.raise();
  }

  private enqueue(held: Held): void {
    // drop the handed-over front now and then, so a queue that never empties does not grow
    if (this.queueHead >= this.options.credits) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    this.queue.push(held);
    this.noteHeld();
  }

  private clearQueue(): void {
    this.queue = [];
    this.queueHead = 0;
  }

  private accepted(producer: string, seq: number): void {
    addTo(this.acks, producer, seq);
    this.renew(1);
  }

  private release(producer: string, seq: number): void {
    addTo(this.releases, producer, seq);
    this.flushSoon.request();
  }

  /**
   * Frees a credit. While messages still wait here, credits are renewed (and acknowledged) a
   * quarter of them at a time, so a consumer taking one message per turn does not cost a write per
   * message on both ends; once nothing waits, at once, so it never idles for want of a renewal.
   */
  private renew(credits: number): void {
    this.freed += credits;
    if (this.freed >= this.renewBatch || this.held === 0) this.flushSoon.request();
  }

  /** Joins for the credits freed, then acknowledges (in that order, so an acknowledged producer finds the credit on the server). */
  private readonly flush = (): void => {
    const bus = this.bus;
    if (bus === undefined || bus.status === 'closed') return;
    if (this.freed > 0 && this.receiving) {
      this.membership?.join(this.freed);
      if (this.announceOnRenewal) this.announce();
    }
    this.freed = 0;
    for (const [producer, acked] of this.acks) this.report(bus, producer, { v: PROTOCOL_VERSION, acked, released: this.releases.get(producer) });
    for (const [producer, released] of this.releases) if (!this.acks.has(producer)) this.report(bus, producer, { v: PROTOCOL_VERSION, acked: [], released });
    this.acks.clear();
    this.releases.clear();
  };

  private report(bus: NatsBus, producer: string, report: ConsumerReport): void {
    try {
      bus.publish(reportSubject(producer), report);
    } catch (error) {
      this.options.onError(undefined, error);
    }
  }

  /** A producer out of credits: answer now if a credit is free, else as soon as one is. */
  private readonly onCreditCall = (message: Message): void => {
    try {
      readCreditCall(message.data);
    } catch (error) {
      this.options.onError(undefined, error);
      return;
    }
    if ((this.membership?.open ?? 0) > 0) this.announce();
    else this.announceOnRenewal = true;
  };

  private readonly tick = (): void => {
    // acknowledgements held back for a batch go out before the producer could take them for lost
    if (this.freed > 0) this.flush();
    this.announce();
    this.saturation.settle(this.held >= this.options.credits);
  };

  private rejoin(): void {
    if (!this.receiving) return;
    this.membership?.rejoin();
    this.announce();
  }

  private announce(leaving = false): void {
    const bus = this.bus;
    if (bus === undefined || bus.status !== 'connected') return;
    this.announceOnRenewal = false;
    const { queue, credits, heartbeatInterval } = this.options;
    const status: ConsumerStatus = {
      v: PROTOCOL_VERSION,
      id: this.id,
      queue,
      credits,
      free: leaving ? 0 : (this.membership?.open ?? 0),
      interval: heartbeatInterval,
      held: this.heldList(),
      ...(leaving ? { leaving } : {}),
    };
    try {
      bus.publish(consumersSubject(this.options.subject), status);
    } catch (error) {
      this.options.onError(undefined, error);
    }
  }

  private heldList(): HeldMessages[] {
    const byProducer = new Map<string, number[]>();
    if (this.current !== undefined) addTo(byProducer, this.current.producer, this.current.seq);
    for (let i = this.queueHead; i < this.queue.length; i++) addTo(byProducer, this.queue[i].producer, this.queue[i].seq);
    return [...byProducer];
  }
}

function addTo(lists: Map<string, number[]>, key: string, seq: number): void {
  const list = lists.get(key);
  if (list === undefined) lists.set(key, [seq]);
  else list.push(seq);
}
