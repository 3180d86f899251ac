import { Stream } from '../stream';
import { requireNonNegativeInteger } from '../validate';
import { BusClosedError, type Message, type Subscription } from '../transport/bus';
import { checkEndpoint, closeEndpoint, openEndpoint, type BusEndpoint, type OpenedEndpoint } from '../transport/bus-endpoint';
import { checkSubscribePattern } from '../transport/subject-pattern';
import { registerSource, Source, startIfAsked, type SourceOptions } from './source';

export interface FromNatsOptions extends SourceOptions, BusEndpoint {
  /** Queue group: each message goes to one member of the group. */
  queue?: string;
  /**
   * Messages kept while downstream has not accepted the previous one (NATS cannot be paused);
   * beyond this, messages are dropped and reported to `errors`. Default 10000.
   */
  maxPending?: number;
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
    this.endpoint = { client: options.client, servers: options.servers, nats: options.nats };
    this.queueGroup = options.queue;
    this.maxPending = requireNonNegativeInteger('maxPending', options.maxPending ?? DEFAULT_MAX_PENDING);
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
    this.subscription = bus.subscribe(this.subject, this.receive, { queue: this.queueGroup });
    this.unfollowStatus = bus.onStatus((event) => {
      if (event.status === 'closed') this.fail(new BusClosedError(`keep receiving '${this.subject}'${event.detail === undefined ? '' : ` (${event.detail})`}`));
    });
    await bus.flush();
  }

  protected override async close(): Promise<void> {
    this.unfollowStatus?.();
    this.unfollowStatus = undefined;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.waiting.length = 0;
    this.waitingHead = 0;
    const opened = this.opened;
    this.opened = undefined;
    await closeEndpoint(opened);
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

export function fromNats<T = unknown>(subject: string, options: FromNatsOptions): FromNats<T> {
  return startIfAsked(new FromNats<T>(subject, options), options);
}

registerSource('fromNats', fromNats);
