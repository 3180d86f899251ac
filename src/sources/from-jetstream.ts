import { jetstream, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { ArgumentRangeError, ArgumentTypeError, describeError } from '../errors';
import type { Emitted } from '../stream';
import { Ticker } from '../links/ticker';
import { systemScheduler, type Scheduler } from '../scheduler';
import { requireInterval, requireNonNegativeInteger, requirePositiveInteger } from '../validate';
import { BusClosedError } from '../transport/bus';
import { checkEndpoint, closeEndpoint, endpointOf, openEndpoint, type BusEndpoint, type OpenedEndpoint } from '../transport/bus-endpoint';
import { Codec } from '../transport/codec';
import { checkJetStreamClient, ensureDurableConsumer, natsConnectionOf } from '../transport/jetstream';
import { checkSubscribePattern } from '../transport/subject-pattern';
import { Source, startIfAsked, type SourceOptions } from './source';

export interface FromJetStreamOptions extends SourceOptions, BusEndpoint {
  /**
   * The name of a JetStream durable pull consumer (created if missing, filtering `subject`). Each
   * message is acknowledged once the pipeline accepted it (its `emit` settled); until then it
   * stays in the stream, and a process that dies has it delivered again. Processes that use the
   * same `durable` share its messages (so there is no `queue`).
   */
  durable: string;
  /**
   * The stream to read; created (capturing `subject`) if missing. Default: the existing stream
   * that captures `subject` (a `JetStreamSetupError` when there is none).
   */
  stream?: string;
  /**
   * Messages delivered and not yet acknowledged, at most (the consumer's `max_ack_pending` and
   * the pull batch; default 64). The consumer keeps one value, shared by every process that
   * uses it: the last one to start sets it.
   */
  credits?: number;
  /**
   * Milliseconds a message may stay unacknowledged before the server delivers it again (to this
   * process or another; default 30000). Messages the pipeline still works on, or that wait for
   * it, have their lease renewed every third of it, so only a process that died loses them.
   */
  ackWait?: number;
  /** Deliveries after the first for a message whose pipeline failed; then it is dropped (`term`) and reported (default 5). */
  retries?: number;
  /** Milliseconds before the first redelivery of a failed message; doubles each time (default 1000). */
  backoff?: number;
  /** The clock of the lease renewals (default: the system timers). */
  scheduler?: Scheduler;
}

declare module '../stream' {
  namespace Stream {
    /**
     * Emits the decoded messages of a JetStream durable consumer on `subject`, acknowledging each
     * once the pipeline accepted it, with at most `credits` unacknowledged (see `FromJetStreamOptions`).
     */
    function fromNats<T = unknown>(subject: string, options: FromJetStreamOptions): FromJetStream<T>;
  }
}

const DEFAULTS = { credits: 64, ackWait: 30_000, retries: 5, backoff: 1_000 } as const;
/** Options of plain and linked `fromNats` that a durable consumer has no use for. */
const NOT_DURABLE = ['queue', 'maxPending', 'heartbeatInterval'] as const;
/** JetStream names: no whitespace, dots, wildcards or path separators. */
const JETSTREAM_NAME = /^[^\s.*>/\\]+$/;

export class FromJetStream<T> extends Source<T> {
  readonly durable: string;
  /** Messages acknowledged after the pipeline accepted them. */
  acknowledged = 0;
  /** Failed messages handed back for a later delivery (`nak` with backoff). */
  retried = 0;
  /** Messages dropped after their last retry (`term`) or because they could not be decoded. */
  terminated = 0;
  /** Copies of a message this source still held (its lease ran out meanwhile) that were dropped. */
  duplicates = 0;
  /** Rounds of lease renewals (`working()` for every message held), one per third of `ackWait`. */
  leaseRenewals = 0;
  private readonly endpoint: BusEndpoint;
  private readonly requestedStream: string | undefined;
  private readonly credits: number;
  private readonly ackWait: number;
  private readonly retries: number;
  private readonly backoff: number;
  private readonly codec: Codec;
  private readonly lease: Ticker;
  private streamName: string | undefined = undefined;
  private opened: OpenedEndpoint | undefined = undefined;
  private messages: ConsumerMessages | undefined = undefined;
  private unfollowStatus: (() => void) | undefined = undefined;
  /** Stream sequences of the messages held: the one the pipeline works on and those waiting. */
  private readonly held = new Set<number>();
  private waiting: JsMsg[] = [];
  private waitingHead = 0;
  private current: JsMsg | undefined = undefined;
  private pumping = false;
  /** The last run of `pump()`, for `close()` to wait on. */
  private pumped: Promise<void> = Promise.resolve();

  constructor(
    readonly subject: string,
    options: FromJetStreamOptions,
  ) {
    super(options);
    checkSubscribePattern(subject);
    checkEndpoint(options);
    checkJetStreamClient(options);
    checkDurableOptions(options);
    this.durable = options.durable;
    this.requestedStream = options.stream;
    this.endpoint = endpointOf(options);
    this.credits = requirePositiveInteger('credits', options.credits ?? DEFAULTS.credits);
    this.ackWait = requirePositiveInteger('ackWait', options.ackWait ?? DEFAULTS.ackWait);
    this.retries = requireNonNegativeInteger('retries', options.retries ?? DEFAULTS.retries);
    this.backoff = requireInterval('backoff', options.backoff ?? DEFAULTS.backoff);
    this.codec = new Codec(options.limits);
    this.lease = new Ticker(options.scheduler ?? systemScheduler, Math.max(1, Math.floor(this.ackWait / 3)), this.renewLeases);
  }

  /** The stream read from, once the source started (named in `stream`, or the one found). */
  get stream(): string | undefined {
    return this.streamName ?? this.requestedStream;
  }

  /** Messages delivered to this source and not yet acknowledged or handed back. */
  get unacknowledged(): number {
    return this.held.size;
  }

  override get kind(): string {
    return 'fromNats';
  }

  protected override describe(): string {
    return `${this.subject} (durable ${this.durable})`;
  }

  protected override async open(): Promise<void> {
    this.opened = await openEndpoint(this.endpoint);
    const bus = this.opened.bus;
    this.unfollowStatus = bus.onStatus((event) => {
      if (event.status === 'closed') this.fail(new BusClosedError(`keep consuming '${this.subject}'${event.detail === undefined ? '' : ` (${event.detail})`}`));
    });
    const connection = natsConnectionOf(bus);
    const plan = { subject: this.subject, durable: this.durable, stream: this.requestedStream, maxAckPending: this.credits, ackWait: this.ackWait };
    this.streamName = await ensureDurableConsumer(connection, plan);
    const consumer = await jetstream(connection).consumers.get(this.streamName, this.durable);
    const messages = await consumer.consume({ max_messages: this.credits, callback: this.receive });
    this.messages = messages;
    void messages.closed().then((error) => {
      if (error instanceof Error && this.messages === messages) this.fail(error);
    });
    this.lease.start();
  }

  /** Stops pulling, lets the message in the pipeline be acknowledged and hands the waiting ones back at once. */
  protected override async close(): Promise<void> {
    this.lease.stop();
    this.unfollowStatus?.();
    this.unfollowStatus = undefined;
    const messages = this.messages;
    this.messages = undefined;
    await messages?.close();
    await this.pumped;
    for (let i = this.waitingHead; i < this.waiting.length; i++) this.handBack(this.waiting[i], 0);
    this.waiting = [];
    this.waitingHead = 0;
    const opened = this.opened;
    this.opened = undefined;
    await opened?.bus.flush();
    await closeEndpoint(opened);
  }

  private readonly receive = (msg: JsMsg): void => {
    if (this.held.has(msg.seq)) {
      this.duplicates++;
      return;
    }
    if (!this.isRunning) {
      msg.nak();
      return;
    }
    this.held.add(msg.seq);
    this.waiting.push(msg);
    if (!this.pumping) this.pumped = this.pump();
  };

  /** Hands waiting messages to the pipeline one at a time, in delivery order. */
  private async pump(): Promise<void> {
    this.pumping = true;
    this.producingStarted();
    try {
      while (this.isRunning && this.waitingHead < this.waiting.length) {
        const msg = this.waiting[this.waitingHead++];
        this.current = msg;
        const accepted = this.handOver(msg);
        if (accepted !== undefined) await accepted;
        this.current = undefined;
      }
    } finally {
      if (this.waitingHead === this.waiting.length) {
        this.waiting = [];
        this.waitingHead = 0;
      }
      this.pumping = false;
      this.producingEnded();
    }
  }

  /** Emits the message's element; acknowledges it once accepted, hands it back or drops it once failed. */
  private handOver(msg: JsMsg): Promise<void> | undefined {
    let element: T;
    try {
      element = this.codec.decode(msg.data) as T;
    } catch (error) {
      this.drop(msg, undefined, error, 'it cannot be decoded');
      return undefined;
    }
    let accepted: Emitted;
    try {
      accepted = this.offer(element);
    } catch (error) {
      this.retryOrDrop(msg, element, error);
      return undefined;
    }
    if (accepted === undefined) {
      this.acknowledge(msg);
      return undefined;
    }
    return accepted.then(
      () => this.acknowledge(msg),
      (error: unknown) => this.retryOrDrop(msg, element, error),
    );
  }

  private acknowledge(msg: JsMsg): void {
    msg.ack();
    this.held.delete(msg.seq);
    this.acknowledged++;
  }

  private retryOrDrop(msg: JsMsg, element: T, error: unknown): void {
    const deliveries = msg.info.deliveryCount;
    if (deliveries > this.retries) {
      this.drop(msg, element, error, `it failed ${deliveries} times`);
      return;
    }
    this.retried++;
    this.handBack(msg, this.backoff * 2 ** (deliveries - 1));
  }

  private handBack(msg: JsMsg, delay: number): void {
    msg.nak(delay);
    this.held.delete(msg.seq);
  }

  private drop(msg: JsMsg, element: unknown, error: unknown, why: string): void {
    // without a reason: nats-server 2.9 ignores a `+TERM` that carries one
    msg.term();
    this.held.delete(msg.seq);
    this.terminated++;
    const where = `stream '${this.stream ?? ''}' sequence ${msg.seq}`;
    this.reportError(element, new Error(`dropped the message at ${where} (term) because ${why}: ${describeError(error)}`, { cause: error }));
  }

  private readonly renewLeases = (): void => {
    this.leaseRenewals++;
    this.current?.working();
    for (let i = this.waitingHead; i < this.waiting.length; i++) this.waiting[i].working();
  };
}

function checkDurableOptions(options: FromJetStreamOptions): void {
  requireJetStreamName('durable', options.durable);
  if (options.stream !== undefined) requireJetStreamName('stream', options.stream);
  for (const name of NOT_DURABLE) {
    const value = (options as unknown as Record<string, unknown>)[name];
    if (value !== undefined) throw new ArgumentRangeError(name, 'left out with durable (processes with the same durable share its messages)', value);
  }
}

function requireJetStreamName(argument: string, value: string): void {
  if (typeof value !== 'string' || !JETSTREAM_NAME.test(value)) {
    throw new ArgumentTypeError(argument, 'a JetStream name (no spaces, dots, wildcards or slashes)', value);
  }
}

/** Whether `fromNats` options ask for a durable consumer. */
export function isDurableSource(options: { durable?: unknown } | undefined): options is FromJetStreamOptions {
  return options?.durable !== undefined;
}

export function fromJetStream<T = unknown>(subject: string, options: FromJetStreamOptions): FromJetStream<T> {
  return startIfAsked(new FromJetStream<T>(subject, options), options);
}
