/**
 * The message bus every actor talks through: in-process by default, NATS subjects when
 * distributed. Messages are plain values; a bus that crosses a process boundary encodes them with
 * the codec, the in-process bus hands them over as they are.
 */
export type Headers = Readonly<Record<string, string>>;

export interface Message<T = unknown> {
  readonly subject: string;
  readonly data: T;
  /** Where a reply goes, if the publisher expects one. */
  readonly reply?: string;
  readonly headers?: Headers;
}

export type Handler<T = unknown> = (message: Message<T>) => void;

export interface PublishOptions {
  reply?: string;
  headers?: Headers;
}

export interface SubscribeOptions {
  /** Queue group: each message goes to exactly one member of the group. */
  queue?: string;
  /** Ends the subscription after this many messages (NATS auto-unsubscribe), refused ones included. */
  max?: number;
  /** Called (asynchronously) once a subscription with `max` ended by itself. */
  onEnd?: () => void;
}

export interface RequestOptions {
  /** Milliseconds before the request rejects with a `RequestTimeoutError` (default 5000). */
  timeout?: number;
  headers?: Headers;
}

/** A bus that can carry frames sealed with the cluster secret as they are (see `SealedFrame`). */
export interface CarriesSealedFrames {
  carrySealedFrames(): void;
}

export interface Subscription {
  readonly subject: string;
  unsubscribe(): void;
}

export type BusStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'closed';

export interface BusStatusEvent {
  status: BusStatus;
  /** e.g. the server a reconnect reached, or the error that closed the connection */
  detail?: string;
}

/** Why a message off the wire never reached a handler. */
export type RejectionKind = 'malformed' | 'oversized' | 'too-deep' | 'unknown-version';

export interface BusStats {
  published: number;
  delivered: number;
  /** Messages dropped before any handler saw them, by reason. */
  rejected: Record<RejectionKind, number>;
  /** Handler calls that threw (the bus reports them and keeps delivering). */
  handlerErrors: number;
  /**
   * Messages published while the connection was down: the client buffers them for the reconnect,
   * but core NATS is at-most-once, so their delivery is not assured.
   */
  publishedWhileDisconnected: number;
  /** Times the client or server flagged a subscription as a slow consumer. */
  slowConsumers: number;
}

export type BusWarningKind =
  | 'slow-consumer'
  | 'published-while-disconnected'
  | 'rejected-message'
  /** The server refused a publish or subscription this user may not make. */
  | 'permission-violation'
  /** Any other error the server reported on an open connection. */
  | 'server-error';

/** Something worth surfacing that does not change the connection status. */
export interface BusWarning {
  kind: BusWarningKind;
  detail: string;
}

/** A request got no reply within its timeout. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  constructor(
    readonly subject: string,
    readonly timeout: number,
  ) {
    super(`request to '${subject}' got no reply within ${timeout} ms`);
  }
}

/** Nobody subscribes to the subject a request went to. */
export class NoRespondersError extends Error {
  override readonly name = 'NoRespondersError';
  constructor(readonly subject: string) {
    super(`no responders for '${subject}'`);
  }
}

/** The bus was closed (or is draining) when the operation was attempted or was still pending. */
export class BusClosedError extends Error {
  override readonly name = 'BusClosedError';
  constructor(operation: string) {
    super(`bus closed: cannot ${operation}`);
  }
}

/** What a bus does with an error thrown by a handler (default: print it to stderr). */
export type HandlerErrorListener = (error: unknown, message: Message) => void;

/**
 * Handlers run synchronously as messages arrive and must not mutate the message or its data: the
 * in-process bus hands the same object to every subscriber.
 */
export interface Bus {
  readonly status: BusStatus;
  publish(subject: string, data: unknown, options?: PublishOptions): void;
  subscribe<T = unknown>(subject: string, handler: Handler<T>, options?: SubscribeOptions): Subscription;
  /**
   * One request/reply round trip. Implementations use one reply subscription per bus and match
   * replies by id (not one subscription or timer-heavy request per call).
   */
  request<T = unknown>(subject: string, data: unknown, options?: RequestOptions): Promise<T>;
  /** Resolves once everything published so far has reached the server (no-op in process). */
  flush(): Promise<void>;
  /** Lets subscriptions finish what they received, then closes. */
  drain(): Promise<void>;
  close(): Promise<void>;
  /** Connection status changes; returns the unsubscribe function. */
  onStatus(listener: (event: BusStatusEvent) => void): () => void;
  /**
   * Slow consumers, messages published while disconnected, rejected messages (optional: a bus
   * that can have none of these may leave it out).
   */
  onWarning?(listener: (warning: BusWarning) => void): () => void;
  stats(): BusStats;
}
