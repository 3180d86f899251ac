import { Stream } from '../stream';
import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import { LinkConsumer } from '../links/link-consumer';
import { DEFAULT_LINK_QUEUE } from '../links/link-subjects';
import { DEFAULT_LINK_HEARTBEAT } from '../links/link-protocol';
import { systemScheduler, type Scheduler } from '../scheduler';
import { requireNonNegativeInteger, requirePositiveInteger } from '../validate';
import { BusClosedError, type Message, type Subscription } from '../transport/bus';
import { checkEndpoint, closeEndpoint, endpointOf, openEndpoint, type BusEndpoint, type OpenedEndpoint } from '../transport/bus-endpoint';
import { NatsBus } from '../transport/nats-bus';
import { checkPublishSubject, checkSubscribePattern, isPublishSubject } from '../transport/subject-pattern';
import { registerSource, Source, startIfAsked, type SourceOptions } from './source';
import { fromJetStream, isDurableSource, type FromJetStream, type FromJetStreamOptions } from './from-jetstream';

export interface FromNatsOptions extends SourceOptions, BusEndpoint {
  /** Queue group: each message goes to one member of the group (with `credits`, default `link`). */
  queue?: string;
  /**
   * Messages kept while downstream has not accepted the previous one (NATS cannot be paused);
   * beyond this, messages are dropped and reported to `errors`. Default 10000. Not with `credits`.
   */
  maxPending?: number;
  /**
   * The consuming end of a flow-controlled link from `toNats(subject, { credits: true })`: this
   * source holds at most `credits` messages its pipeline has not accepted, and producers send it no
   * more. Replicas share the messages as a queue group; a message a replica held when it died goes
   * to another. The subject must be literal. Needs NATS (`servers`, or a `NatsBus` as `client`).
   */
  credits?: number;
  /** With `credits`: milliseconds between announcements to the producers (default 500). */
  heartbeatInterval?: number;
  /** With `credits`: the clock of those announcements (default: the system timers). */
  scheduler?: Scheduler;
  /** A name reads through a JetStream durable consumer instead (see `FromJetStreamOptions`). */
  durable?: undefined;
}

declare module '../stream' {
  namespace Stream {
    /**
     * Emits the decoded data of each message on a NATS `subject` (wildcards allowed), from a bus
     * you pass (`client`) or a connection to `servers` it opens on `start()` and closes on
     * `stop()`. Messages that arrive while downstream is busy wait in order (up to `maxPending`).
     * If the bus closes under it, the source fails (the error goes to `errors`).
     */
    function fromNats<T = unknown>(subject: string, options: FromNatsOptions): FromNats<T>;
  }
}

const DEFAULT_MAX_PENDING = 10_000;

export class FromNats<T> extends Source<T> {
  private readonly endpoint: BusEndpoint;
  private readonly queueGroup: string | undefined;
  private readonly maxPending: number;
  private readonly credits: number | undefined;
  private readonly heartbeatInterval: number;
  private readonly scheduler: Scheduler;
  private linkConsumer: LinkConsumer | undefined = undefined;
  private opened: OpenedEndpoint | undefined = undefined;
  private subscription: Subscription | undefined = undefined;
  private unfollowStatus: (() => void) | undefined = undefined;
  private readonly waiting: T[] = [];
  private waitingHead = 0;
  private pumping = false;
  /** Messages dropped because `maxPending` were already waiting. */
  dropped = 0;

  constructor(
    readonly subject: string,
    options: FromNatsOptions,
  ) {
    super(options);
    checkSubscribePattern(subject);
    checkEndpoint(options);
    this.endpoint = endpointOf(options);
    this.credits = checkLinkOptions(subject, options);
    this.queueGroup = this.credits === undefined ? options.queue : (options.queue ?? DEFAULT_LINK_QUEUE);
    this.maxPending = requireNonNegativeInteger('maxPending', options.maxPending ?? DEFAULT_MAX_PENDING);
    this.heartbeatInterval = options.heartbeatInterval ?? DEFAULT_LINK_HEARTBEAT;
    this.scheduler = options.scheduler ?? systemScheduler;
  }

  /** With `credits`: the consuming end of the link while the source runs (state, messages held). */
  get link(): LinkConsumer | undefined {
    return this.linkConsumer;
  }

  override get kind(): string {
    return 'fromNats';
  }

  protected override describe(): string {
    return this.subject;
  }

  protected override async open(): Promise<void> {
    this.opened = await openEndpoint(this.endpoint);
    const bus = this.opened.bus;
    this.unfollowStatus = bus.onStatus((event) => {
      if (event.status === 'closed') this.fail(new BusClosedError(`keep receiving '${this.subject}'${event.detail === undefined ? '' : ` (${event.detail})`}`));
    });
    if (this.credits !== undefined) {
      this.linkConsumer = this.createLink(this.credits);
      await this.linkConsumer.start(bus as NatsBus);
      return;
    }
    this.subscription = bus.subscribe(this.subject, this.receive, { queue: this.queueGroup });
    await bus.flush();
  }

  protected override async close(): Promise<void> {
    this.unfollowStatus?.();
    this.unfollowStatus = undefined;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await this.linkConsumer?.stop();
    this.waiting.length = 0;
    this.waitingHead = 0;
    const opened = this.opened;
    this.opened = undefined;
    await closeEndpoint(opened);
  }

  private createLink(credits: number): LinkConsumer {
    return new LinkConsumer({
      subject: this.subject,
      queue: this.queueGroup as string,
      credits,
      heartbeatInterval: this.heartbeatInterval,
      scheduler: this.scheduler,
      limits: this.endpoint.limits,
      deliver: (value) => this.deliver(value as T),
      onBusy: (busy) => (busy ? this.producingStarted() : this.producingEnded()),
      onError: (element, error) => this.reportError(element, error),
    });
  }

  private readonly receive = (message: Message): void => {
    if (!this.isRunning) return;
    const data = message.data as T;
    if (!this.pumping) {
      const accepted = this.deliver(data);
      if (accepted !== undefined) void this.pump(accepted);
      return;
    }
    if (this.waiting.length - this.waitingHead >= this.maxPending) {
      this.dropped++;
      this.reportError(data, new Error(`${this}: ${this.maxPending} messages already wait for downstream; dropped one`));
      return;
    }
    this.waiting.push(data);
  };

  /** Hands waiting messages over one at a time, in arrival order. */
  private async pump(accepted: Promise<void>): Promise<void> {
    this.pumping = true;
    this.producingStarted();
    try {
      await accepted;
      while (this.isRunning && this.waitingHead < this.waiting.length) {
        const next = this.waiting[this.waitingHead++];
        const pending = this.deliver(next);
        if (pending !== undefined) await pending;
      }
    } finally {
      this.waiting.length = 0;
      this.waitingHead = 0;
      this.pumping = false;
      this.producingEnded();
    }
  }
}

/** The link's credits, or `undefined` without a link; throws on options that do not fit. */
function checkLinkOptions(subject: string, options: FromNatsOptions): number | undefined {
  const { credits, heartbeatInterval, queue } = options;
  if (credits === undefined) {
    if (heartbeatInterval !== undefined) throw new ArgumentRangeError('heartbeatInterval', 'left out unless credits is given', heartbeatInterval);
    return undefined;
  }
  requirePositiveInteger('credits', credits);
  checkPublishSubject(subject);
  if (options.client !== undefined && !(options.client instanceof NatsBus)) {
    throw new ArgumentTypeError('client', 'a NatsBus (a link with credits runs over NATS)', options.client);
  }
  if (options.maxPending !== undefined) throw new ArgumentRangeError('maxPending', 'left out with credits (a link holds at most `credits` messages)', options.maxPending);
  if (queue !== undefined && !isPublishSubject(queue)) throw new ArgumentTypeError('queue', 'a queue group name (non-empty tokens, no wildcards or spaces)', queue);
  if (heartbeatInterval !== undefined) requirePositiveInteger('heartbeatInterval', heartbeatInterval);
  return credits;
}

export function fromNats<T = unknown>(subject: string, options: FromNatsOptions): FromNats<T>;
export function fromNats<T = unknown>(subject: string, options: FromJetStreamOptions): FromJetStream<T>;
export function fromNats<T = unknown>(subject: string, options: FromNatsOptions | FromJetStreamOptions): FromNats<T> | FromJetStream<T> {
  if (isDurableSource(options)) return fromJetStream<T>(subject, options);
  return startIfAsked(new FromNats<T>(subject, options), options);
}

registerSource('fromNats', fromNats);
