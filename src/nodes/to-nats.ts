import { Stream, type Emitted, type StreamOptions } from '../stream';
import type { Bus } from '../transport/bus';
import { checkEndpoint, closeEndpoint, openEndpoint, type BusEndpoint, type OpenedEndpoint } from '../transport/bus-endpoint';
import { checkPublishSubject } from '../transport/subject-pattern';

export interface ToNatsOptions extends StreamOptions, BusEndpoint {}

declare module '../stream' {
  interface Stream<T> {
    /**
     * Publishes each element to the NATS `subject` (a sink), on a bus you pass (`client`) or a
     * connection to `servers` it opens at once and closes on `destroy()`. Elements that arrive
     * before the connection is up wait for it, in order. `drain()` also waits until everything
     * published reached the server.
     */
    toNats(subject: string, options: ToNatsOptions): ToNats<T>;
  }
}

export class ToNats<T> extends Stream<never> {
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
    super(options, [upstream]);
    this.opening = openEndpoint({ client: options.client, servers: options.servers, nats: options.nats });
    this.opening.then(
      (opened) => {
        this.opened = opened;
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
      this.send(this.opened.bus, x);
      return undefined;
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
    void this.opening.then(
      () => closeEndpoint(this.opened).catch((error: unknown) => this.reportError(undefined, error)),
      () => undefined,
    );
  }

  /** After the held elements, `drain()` waits for the server to have everything published. */
  protected override settled(): Promise<void> | undefined {
    const held = super.settled();
    if (held !== undefined || !this.unflushed || this.opened === undefined) return held;
    this.unflushed = false;
    return this.hold(this.opened.bus.flush().catch((error: unknown) => this.reportError(undefined, error)));
  }

  private send(bus: Bus, x: T): void {
    bus.publish(this.subject, x);
    this.unflushed = true;
  }
}

Stream.registerApi('toNats', (upstream, subject: string, options: ToNatsOptions) => new ToNats(upstream, subject, options));
