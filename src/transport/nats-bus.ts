/**
 * The bus over NATS (`@nats-io/transport-node` 3.x). Data is encoded with the codec; anything that
 * fails to decode is counted in `stats().rejected`, answered with an error reply when it asked
 * for one, and never reaches a handler. Requests share one inbox subscription and are matched by
 * the id at the end of their reply subject.
 */
import {
  connect,
  createInbox,
  errors as natsErrors,
  headers as natsHeaders,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Status,
  type Subscription as NatsSubscription,
} from '@nats-io/transport-node';
import { NatsConnectionError } from '../errors';
import { BusBase, type BusBaseOptions } from './bus-base';
import { BusClosedError, NoRespondersError, type Handler, type Headers, type PublishOptions, type SubscribeOptions, type Subscription } from './bus';
import { Codec, DecodeError, EncodeError, type CodecLimits } from './codec';
import { connectionOptions, type NatsConnectionOptions } from './nats-options';
import { checkPublishSubject, checkSubscribePattern } from './subject-pattern';

export { connectionOptions, type NatsTlsOptions } from './nats-options';

export interface NatsBusOptions extends BusBaseOptions, NatsConnectionOptions {
  /** Size and nesting limits for encoded messages. */
  limits?: CodecLimits;
}

/** The TLS handshake with the server failed (untrusted or missing certificate, wrong host name). */
export class TlsConnectionError extends Error {
  override readonly name = 'TlsConnectionError';
  readonly servers: string[];
  /** Node's code for the failure, e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE`. */
  readonly code: string;
  constructor(servers: string | string[], code: string, cause: unknown) {
    const list = typeof servers === 'string' ? [servers] : servers;
    super(`TLS handshake with ${list.join(', ')} failed: ${(cause as Error).message}`, { cause });
    this.servers = list;
    this.code = code;
  }
}

/** Node's certificate verification codes and its TLS error codes. */
const TLS_FAILURE_CODE = /CERT|SIGNATURE|ISSUER|^ERR_TLS|^ERR_SSL|SELF_SIGNED/;

/** The TLS failure code somewhere in the error's cause chain, if there is one. */
function tlsFailureCode(error: unknown): string | undefined {
  // Not `instanceof`: Node's TLS errors may come from another realm (under jest they do).
  for (let inner = error, depth = 0; typeof inner === 'object' && inner !== null && depth < 5; inner = (inner as Error).cause, depth++) {
    const code = (inner as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_FAILURE_CODE.test(code)) return code;
  }
  return undefined;
}

/** Header naming why a responder refused a request it could not decode. */
export const REJECTED_HEADER = 'Rivulet-Rejected';
const NO_RESPONDERS_STATUS = 503;

export class NatsBus extends BusBase {
  private closing = false;
  private readonly codec: Codec;
  private warnedWhileDisconnected = false;

  /** Wraps a connection made elsewhere; `close()` closes it. */
  constructor(
    readonly connection: NatsConnection,
    options: NatsBusOptions = {},
  ) {
    super(`${createInbox()}.`, options, 'connected');
    this.codec = new Codec(options.limits);
    void this.followStatus();
    void connection.closed().then((error) => this.markClosed(error instanceof Error ? error.message : undefined));
  }

  /**
   * Connects; rejects with a `TlsConnectionError` when the TLS handshake failed, otherwise with a
   * `NatsConnectionError`; both name the servers.
   */
  static async connect(options: NatsBusOptions = {}): Promise<NatsBus> {
    const natsOptions = connectionOptions(options);
    try {
      return new NatsBus(await connect(natsOptions), options);
    } catch (error) {
      const servers = natsOptions.servers ?? [];
      const code = tlsFailureCode(error);
      throw code === undefined ? new NatsConnectionError(servers, error) : new TlsConnectionError(servers, code, error);
    }
  }

  /** An `AuthenticatedBus` wraps this bus: sealed frames travel as they are, not inside an envelope. */
  carrySealedFrames(): void {
    this.codec.carrySealedFrames();
  }

  publish(subject: string, data: unknown, options?: PublishOptions): void {
    if (this.closing) throw new BusClosedError(`publish to '${subject}'`);
    checkPublishSubject(subject);
    const payload = this.codec.encode(data);
    this.checkServerLimit(payload);
    if (options === undefined || options.headers === undefined) {
      this.connection.publish(subject, payload, options as { reply?: string } | undefined);
    } else {
      this.connection.publish(subject, payload, { reply: options.reply, headers: toNatsHeaders(options.headers) });
    }
    this.counters.published++;
    if (this.status !== 'connected') this.noteDisconnectedPublish(subject);
  }

  subscribe<T = unknown>(subject: string, handler: Handler<T>, options?: SubscribeOptions): Subscription {
    if (this.closing) throw new BusClosedError(`subscribe to '${subject}'`);
    checkSubscribePattern(subject);
    const receive = handler as Handler;
    const subscription = this.connection.subscribe(subject, {
      queue: options?.queue,
      max: options?.max,
      callback: (error, msg) => {
        if (error === null) this.receive(msg, receive);
      },
    });
    const onEnd = options?.onEnd;
    if (onEnd === undefined) return busSubscription(subscription);
    // Refused messages count towards `max` too. Ended by `max` (or by the connection), not by an unsubscribe.
    let unsubscribed = false;
    void subscription.closed.then(() => {
      if (!unsubscribed) onEnd();
    });
    return {
      subject,
      unsubscribe: () => {
        unsubscribed = true;
        subscription.unsubscribe();
      },
    };
  }

  flush(): Promise<void> {
    return this.closing ? Promise.resolve() : this.connection.flush();
  }

  async drain(): Promise<void> {
    if (this.closing) return this.connection.closed().then(() => undefined);
    this.closing = true;
    await this.connection.drain();
    this.markClosed();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (!this.connection.isClosed()) await this.connection.close();
    this.markClosed();
  }

  protected get refusing(): boolean {
    return this.closing;
  }

  /** The server answers a request without responders with a 503 status on the inbox. */
  protected refuseRequest(): Error | undefined {
    return undefined;
  }

  private receive(msg: Msg, handler: Handler): void {
    let data: unknown;
    try {
      data = this.codec.decode(msg.data);
    } catch (error) {
      this.refuse(msg, error as DecodeError);
      return;
    }
    const headers = msg.headers === undefined ? undefined : fromNatsHeaders(msg.headers);
    this.deliverTo(handler, { subject: msg.subject, data, reply: msg.reply || undefined, headers });
  }

  /** Counts the message, warns, and answers its reply subject (if any) with the reason. */
  private refuse(msg: Msg, error: DecodeError): void {
    this.counters.rejected[error.kind]++;
    this.warningListeners.emit({ kind: 'rejected-message', detail: `${msg.subject}: ${error.message}` });
    if (!msg.reply || this.closing) return;
    const reason = natsHeaders();
    reason.set(REJECTED_HEADER, `${error.kind}: ${error.message}`);
    this.connection.publish(msg.reply, undefined, { headers: reason });
  }

  protected subscribeInbox(): Subscription {
    const subscription = this.connection.subscribe(`${this.inboxPrefix}*`, {
      callback: (error, msg) => {
        if (error === null) this.settle(msg);
      },
    });
    return busSubscription(subscription);
  }

  private settle(msg: Msg): void {
    const id = this.replyId(msg.subject);
    if (id === undefined) return;
    const refusal = replyRefusal(msg);
    if (refusal !== undefined) {
      const subject = this.pending.subjectOf(id) ?? msg.subject;
      this.pending.reject(id, refusal === NO_RESPONDERS_STATUS ? new NoRespondersError(subject) : refusal);
      return;
    }
    try {
      this.pending.resolve(id, this.codec.decode(msg.data));
    } catch (error) {
      this.counters.rejected[(error as DecodeError).kind]++;
      this.pending.reject(id, error);
    }
  }

  /** The server's max_payload (it would close the connection over a bigger message). */
  private checkServerLimit(payload: Uint8Array): void {
    const limit = this.connection.info?.max_payload;
    if (limit !== undefined && payload.length > limit) {
      throw new EncodeError(`encoded message is ${payload.length} bytes, over the server's ${limit} byte max_payload`);
    }
  }

  private noteDisconnectedPublish(subject: string): void {
    this.counters.publishedWhileDisconnected++;
    if (this.warnedWhileDisconnected) return;
    this.warnedWhileDisconnected = true;
    this.warningListeners.emit({
      kind: 'published-while-disconnected',
      detail: `publishing to '${subject}' while ${this.status}: buffered for the reconnect, delivery not assured`,
    });
  }

  private async followStatus(): Promise<void> {
    try {
      for await (const event of this.connection.status()) this.onNatsStatus(event);
    } catch (error) {
      this.markClosed(String(error));
    }
  }

  private onNatsStatus(event: Status): void {
    switch (event.type) {
      case 'disconnect':
        return this.setStatus('disconnected', event.server);
      case 'reconnecting':
        return this.setStatus('reconnecting');
      case 'reconnect':
        this.warnedWhileDisconnected = false;
        return this.setStatus('connected', event.server);
      case 'error':
        return this.warnServerError(event.error);
      case 'close':
        return this.markClosed();
      default:
        return undefined;
    }
  }

  /**
   * Server errors on an open connection become warnings: permission violations (the server drops
   * the publish or subscription, so without this a misconfigured user sees only silence), slow
   * consumers named by the server (nats.js reports its own only for iterator subscriptions; a
   * server that finds this client slow closes the connection, seen as `disconnected`), the rest.
   */
  private warnServerError(error: Error): void {
    if (error instanceof natsErrors.PermissionViolationError) {
      this.warningListeners.emit({ kind: 'permission-violation', detail: error.message });
    } else if (/slow consumer/i.test(error.message)) {
      this.counters.slowConsumers++;
      this.warningListeners.emit({ kind: 'slow-consumer', detail: error.message });
    } else {
      this.warningListeners.emit({ kind: 'server-error', detail: error.message });
    }
  }

  protected override markClosed(detail?: string): void {
    this.closing = true;
    super.markClosed(detail);
  }
}

function toNatsHeaders(record: Headers): MsgHdrs {
  const result = natsHeaders();
  for (const key of Object.keys(record)) result.set(key, record[key]);
  return result;
}

function fromNatsHeaders(msgHeaders: MsgHdrs): Headers {
  const record: Record<string, string> = {};
  for (const key of msgHeaders.keys()) record[key] = msgHeaders.last(key);
  return record;
}

/** A status reply (no responders) or a responder's refusal, if the reply is one. */
function replyRefusal(msg: Msg): number | DecodeError | undefined {
  const msgHeaders = msg.headers;
  if (msgHeaders === undefined) return undefined;
  if (msgHeaders.code === NO_RESPONDERS_STATUS) return NO_RESPONDERS_STATUS;
  if (!msgHeaders.has(REJECTED_HEADER)) return undefined;
  return new DecodeError('malformed', `the responder rejected the request: ${msgHeaders.get(REJECTED_HEADER)}`);
}

function busSubscription(subscription: NatsSubscription): Subscription {
  return {
    subject: subscription.getSubject(),
    unsubscribe: () => subscription.unsubscribe(),
  };
}
