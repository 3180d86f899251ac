import { Stream, type Emitted, type StreamOptions } from '../stream';
import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import { LinkProducer } from '../links/link-producer';
import { isJetStreamSink, ToJetStream, type ToJetStreamOptions } from './to-jetstream';
import { DEFAULT_LINK_HEARTBEAT } from '../links/link-protocol';
import { systemScheduler, type Scheduler } from '../scheduler';
import type { Bus } from '../transport/bus';
import { checkEndpoint, closeEndpoint, endpointOf, openEndpoint, type BusEndpoint, type OpenedEndpoint } from '../transport/bus-endpoint';
import { NatsBus } from '../transport/nats-bus';
import { checkPublishSubject } from '../transport/subject-pattern';
import { requirePositiveInteger } from '../validate';

export interface ToNatsOptions extends StreamOptions, BusEndpoint {
  /**
   * A flow-controlled link: `emit` waits for credits that the subject's consumers
   * (`Stream.fromNats(subject, { credits })`) grant, also while there is none; `drain()` waits
   * until they accepted every element. Needs NATS (`servers`, or a `NatsBus` as `client`).
   */
  credits?: boolean;
  /** With `credits`: milliseconds between checks for lost messages and silent consumers (default 500). */
  heartbeatInterval?: number;
  /** With `credits`: the clock of those checks (default: the system timers). */
  scheduler?: Scheduler;
  /** `true` publishes through JetStream instead (see `ToJetStreamOptions`). */
  jetstream?: false;
}

declare module '../stream' {
  interface Stream<T> {
    /**
     * Publishes each element to the NATS `subject` (a sink), on a bus you pass (`client`) or a
     * connection to `servers` it opens at once and closes on `destroy()`. Elements that arrive
     * before the connection is up wait for it, in order. `drain()` also waits until everything
     * published reached the server. With `credits: true` it is the producing end of a link with
     * back pressure (see `ToNatsOptions.credits`).
     */
    toNats(subject: string, options: ToNatsOptions): ToNats<T>;
  }
}

export class ToNats<T> extends Stream<never> {
  /** With `credits: true`: the producing end of the link (state, unacknowledged elements). */
  readonly link: LinkProducer | undefined;
  private readonly opening: Promise<OpenedEndpoint>;
  private opened: OpenedEndpoint | undefined = undefined;
  /** Elements waiting for the connection; while any do, later ones queue behind them. */
  private waitingForBus = 0;
  private unflushed = false;

  constructor(
    upstream: Stream<T>,
    readonly subject: string,
    options: ToNatsOptions,
  ) {
    checkPublishSubject(subject);
    checkEndpoint(options);
    const linked = checkLinkOptions(options);
    super(options, [upstream]);
    this.link = linked ? this.createLink(options) : undefined;
    this.opening = openEndpoint(endpointOf(options));
    this.opening.then(
      (opened) => {
        this.opened = opened;
        this.link?.attach(opened.bus as NatsBus);
      },
      (error: unknown) => this.reportError(undefined, error),
    );
  }

  override get kind(): string {
    return 'toNats';
  }

  protected override describe(): string {
    return this.subject;
  }

  override update(x: T): Emitted {
    this.markActive();
    if (this.opened !== undefined && this.waitingForBus === 0) {
      const sent = this.send(this.opened.bus, x);
      return sent === undefined ? undefined : this.hold(sent);
    }
    this.waitingForBus++;
    return this.hold(
      this.opening
        .then((opened) => this.send(opened.bus, x))
        .catch((error: unknown) => this.reportError(x, error))
        .finally(() => this.waitingForBus--),
    );
  }

  override destroy(): void {
    super.destroy();
    this.link?.close();
    void this.opening.then(
      () => closeEndpoint(this.opened).catch((error: unknown) => this.reportError(undefined, error)),
      () => undefined,
    );
  }

  /**
   * After the held elements, `drain()` waits for the server to have everything published, or on a
   * link, for the consumers to have accepted everything.
   */
  protected override settled(): Promise<void> | undefined {
    const held = super.settled();
    if (held !== undefined) return held;
    if (this.link !== undefined) {
      const idle = this.link.whenIdle();
      return idle === undefined ? undefined : this.hold(idle);
    }
    if (!this.unflushed || this.opened === undefined) return undefined;
    this.unflushed = false;
    return this.hold(this.opened.bus.flush().catch((error: unknown) => this.reportError(undefined, error)));
  }

  private send(bus: Bus, x: T): Promise<void> | undefined {
    if (this.link !== undefined) return this.link.send(x);
    bus.publish(this.subject, x);
    this.unflushed = true;
    return undefined;
  }

  private createLink(options: ToNatsOptions): LinkProducer {
    return new LinkProducer({
      subject: this.subject,
      heartbeatInterval: options.heartbeatInterval ?? DEFAULT_LINK_HEARTBEAT,
      scheduler: options.scheduler ?? systemScheduler,
      limits: options.limits,
      onError: (error) => this.reportError(undefined, error),
    });
  }
}

/** Whether the options ask for a link; throws on options that do not fit one. */
function checkLinkOptions(options: ToNatsOptions): boolean {
  const { credits, heartbeatInterval } = options;
  if (credits !== undefined && typeof credits !== 'boolean') throw new ArgumentTypeError('credits', 'true or false', credits);
  if (credits !== true) {
    if (heartbeatInterval !== undefined) throw new ArgumentRangeError('heartbeatInterval', 'left out unless credits is true', heartbeatInterval);
    return false;
  }
  if (options.client !== undefined && !(options.client instanceof NatsBus)) {
    throw new ArgumentTypeError('client', 'a NatsBus (a link with credits runs over NATS)', options.client);
  }
  if (heartbeatInterval !== undefined) requirePositiveInteger('heartbeatInterval', heartbeatInterval);
  return true;
}

Stream.registerApi('toNats', (upstream, subject: string, options: ToNatsOptions | ToJetStreamOptions<unknown>) =>
  isJetStreamSink(options) ? new ToJetStream(upstream, subject, options) : new ToNats(upstream, subject, options),
);
