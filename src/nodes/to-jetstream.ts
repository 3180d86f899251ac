import { randomUUID } from 'node:crypto';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Stream, type StreamOptions } from '../stream';
import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import { Codec } from '../transport/codec';
import { checkEndpoint, closeEndpoint, endpointOf, openEndpoint, type BusEndpoint, type OpenedEndpoint } from '../transport/bus-endpoint';
import { checkJetStreamClient, natsConnectionOf, toPublishError } from '../transport/jetstream';
import { checkPublishSubject } from '../transport/subject-pattern';
import { requireFunction, requirePositiveInteger } from '../validate';

export interface ToJetStreamOptions<T> extends StreamOptions, BusEndpoint {
  /**
   * Publish through JetStream: a stream must capture the subject. `emit` resolves once the server
   * stored the element (its acknowledgement came) and rejects with a `JetStreamPublishError`
   * when it did not (no stream, stream full, no acknowledgement in time).
   */
  jetstream: true;
  /**
   * The element's message id (`Nats-Msg-Id`): the stream stores an element sent again with the
   * same id within its duplicate window (default 2 minutes) only once. Default: this sink's id and
   * the element's sequence, which covers re-sends by this sink; derive it from the element (an
   * order id, the input's id) to have re-sends after a restart of the process dropped too.
   */
  msgId?: (element: T) => string;
  /** Milliseconds to wait for the server's acknowledgement of each element (default 5000). */
  timeout?: number;
}

declare module '../stream' {
  interface Stream<T> {
    /**
     * Publishes each element into the JetStream stream that captures `subject`, with a message id
     * so that an element sent again is stored once; `emit` resolves once it is stored.
     */
    toNats(subject: string, options: ToJetStreamOptions<T>): ToJetStream<T>;
  }
}

const DEFAULT_TIMEOUT = 5_000;
/** A publish that finds no stream or times out is tried this often (with the same message id) before it fails. */
const PUBLISH_ATTEMPTS = 3;

export class ToJetStream<T> extends Stream<never> {
  /** The default message ids start with this. */
  readonly producerId = randomUUID();
  /** Elements the stream stored. */
  stored = 0;
  /** Elements the stream already had (same message id within its duplicate window), so it did not store them again. */
  duplicates = 0;
  private readonly codec: Codec;
  /** Over `unknown` rather than `T`, which keeps `ToJetStream<T>` (and every `Stream<T>`) covariant in `T`. */
  private readonly msgId: (element: unknown) => string;
  private readonly timeout: number;
  private readonly opening: Promise<JetStreamClient>;
  private opened: OpenedEndpoint | undefined = undefined;
  private client: JetStreamClient | undefined = undefined;
  private seq = 0;

  constructor(
    upstream: Stream<T>,
    readonly subject: string,
    options: ToJetStreamOptions<T>,
  ) {
    checkPublishSubject(subject);
    checkEndpoint(options);
    checkJetStreamClient(options);
    refuseLinkOptions(options);
    super(options, [upstream]);
    this.msgId = options.msgId === undefined ? this.nextMsgId : (requireFunction('msgId', options.msgId) as (element: unknown) => string);
    this.timeout = requirePositiveInteger('timeout', options.timeout ?? DEFAULT_TIMEOUT);
    this.codec = new Codec(options.limits);
    this.opening = this.open(endpointOf(options));
    this.opening.catch((error: unknown) => this.reportError(undefined, error));
  }

  override get kind(): string {
    return 'toNats';
  }

  protected override describe(): string {
    return `${this.subject} (JetStream)`;
  }

  /** Publishes `x`; the promise settles with the server's acknowledgement. Elements wait for the connection in order. */
  override update(x: T): Promise<void> {
    this.markActive();
    const payload = this.codec.encode(x);
    const id = this.messageId(x);
    const client = this.client;
    const stored = client !== undefined ? this.publish(client, payload, id) : this.opening.then((opened) => this.publish(opened, payload, id));
    return this.hold(stored);
  }

  override destroy(): void {
    super.destroy();
    void this.opening.then(
      () => closeEndpoint(this.opened).catch((error: unknown) => this.reportError(undefined, error)),
      () => undefined,
    );
  }

  private async open(endpoint: BusEndpoint): Promise<JetStreamClient> {
    this.opened = await openEndpoint(endpoint);
    this.client = jetstream(natsConnectionOf(this.opened.bus), { timeout: this.timeout });
    return this.client;
  }

  private async publish(client: JetStreamClient, payload: Uint8Array, msgID: string): Promise<void> {
    try {
      const ack = await client.publish(this.subject, payload, { msgID, timeout: this.timeout, retries: PUBLISH_ATTEMPTS });
      if (ack.duplicate) this.duplicates++;
      else this.stored++;
    } catch (error) {
      throw toPublishError(this.subject, error);
    }
  }

  private messageId(x: T): string {
    const id = this.msgId(x);
    if (typeof id !== 'string' || id.length === 0) throw new ArgumentTypeError('msgId', 'a function returning a non-empty string', id);
    return id;
  }

  private readonly nextMsgId = (): string => `${this.producerId}.${++this.seq}`;
}

/** Whether `toNats` options ask for JetStream; throws when `jetstream` is not a boolean. */
export function isJetStreamSink<T>(options: { jetstream?: boolean } | undefined): options is ToJetStreamOptions<T> {
  const wanted = options?.jetstream;
  if (wanted !== undefined && typeof wanted !== 'boolean') throw new ArgumentTypeError('jetstream', 'true or false', wanted);
  return wanted === true;
}

/** A JetStream sink is not a link: its back pressure is the server's acknowledgement. */
function refuseLinkOptions(options: object): void {
  for (const name of ['credits', 'heartbeatInterval', 'scheduler']) {
    const value = (options as Record<string, unknown>)[name];
    if (value !== undefined) throw new ArgumentRangeError(name, 'left out with jetstream (emit waits for the stored acknowledgement instead)', value);
  }
}
