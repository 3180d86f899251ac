/**
 * The cluster secret: every protocol message a client or worker sends is sealed in a frame
 *
 *     [0xc1][1 byte frame version][32 bytes HMAC-SHA256][body]
 *
 * (0xc1 is a byte msgpack never writes: a NATS bus sends and hands over such a frame as it is,
 * see `SealedFrame`)
 * where the body is the codec's encoding of `[sender, session, seq, timestamp, inReplyTo, data]`
 * and the MAC covers the subject it was published to (or the reply marker) and the body's exact
 * bytes. A receiver checks the MAC before it decodes anything, then the timestamp (at most
 * `FRESHNESS_WINDOW` ms off its own clock) and the sequence number (never seen before from that
 * sender session). Refusals are counted by kind and logged once per kind.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import { Codec, DEFAULT_MAX_DEPTH, SEALED_FRAME_MARKER, SealedFrame } from '../transport/codec';
import { OnceLog } from '../util/once-log';
import { ReplayGuard } from './replay-guard';

/** A cluster secret: text or bytes, at least `MIN_SECRET_BYTES` long. */
export type Secret = string | Uint8Array;

export const MIN_SECRET_BYTES = 16;
/** How far a message's timestamp may be from the receiver's clock (ms): replays after this are stale. */
export const FRESHNESS_WINDOW = 30_000;

/**
 * Why a message was refused: `unauthenticated` carries no frame (a plain protocol message),
 * `altered` has a frame whose MAC does not match (changed bytes, another secret, another subject),
 * `stale` is outside the freshness window, `replayed` was seen before (or answers another request).
 */
export type AuthRefusal = 'unauthenticated' | 'altered' | 'stale' | 'replayed';
export type AuthRefusalCounts = Record<AuthRefusal, number>;

/** A request's reply failed authentication: the request rejects with this. */
export class UnauthenticatedMessageError extends Error {
  override readonly name = 'UnauthenticatedMessageError';
  constructor(readonly kind: AuthRefusal) {
    super(`refused an ${kind} reply`);
  }
}

/** Checks a `secret` option; returns its bytes. The message never shows the secret. */
export function requireSecret(secret: Secret): Buffer {
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) throw new ArgumentTypeError('secret', 'a string or a Buffer', typeof secret);
  const bytes = Buffer.from(secret);
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new ArgumentRangeError('secret', `at least ${MIN_SECRET_BYTES} bytes`, undefined, `secret must be at least ${MIN_SECRET_BYTES} bytes, got ${bytes.length}`);
  }
  return bytes;
}

const FRAME_VERSION = 1;
const MAC_START = 2;
const MAC_BYTES = 32;
const BODY_START = MAC_START + MAC_BYTES;
/** What replies are signed for instead of a subject (no subject contains a space). */
export const REPLY_CONTEXT = ' reply';

type Body = [sender: string, session: string, seq: number, timestamp: number, inReplyTo: string | null, data: unknown];

export interface Opened {
  readonly data: unknown;
  /** `session:seq`: what a reply to this message names in `inReplyTo`. */
  readonly nonce: string;
  readonly inReplyTo: string | null;
}

export interface Sealed {
  readonly frame: SealedFrame;
  readonly nonce: string;
}

export class MessageAuth {
  readonly refusals: AuthRefusalCounts = { unauthenticated: 0, altered: 0, stale: 0, replayed: 0 };
  private readonly key: Buffer;
  private readonly session = randomBytes(8).toString('hex');
  private seq = 0;
  /** One level deeper than a bus's own limit: the data sits inside the body array. */
  private readonly codec = new Codec({ maxDepth: DEFAULT_MAX_DEPTH + 1 });
  /** Replies are bound to their request: one guard for all of them. */
  private readonly replies = new ReplayGuard(FRESHNESS_WINDOW);
  private readonly notes = new OnceLog();
  private lastRefusal: AuthRefusal = 'unauthenticated';

  constructor(
    secret: Secret,
    /** The client's or worker's id, carried in every message it sends. */
    readonly sender: string,
    /** Who logs refusals, e.g. `rivulet worker w1`. */
    private readonly who: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = requireSecret(secret);
  }

  /** Seals `data` for `context` (the subject, or `REPLY_CONTEXT`); throws the codec's `EncodeError`. */
  seal(context: string, data: unknown, inReplyTo: string | null = null): Sealed {
    const seq = ++this.seq;
    const body = this.codec.encode([this.sender, this.session, seq, this.now(), inReplyTo, data] satisfies Body);
    const frame = sealedFrame(BODY_START + body.length);
    frame[0] = SEALED_FRAME_MARKER;
    frame[1] = FRAME_VERSION;
    frame.set(this.mac(context, body), MAC_START);
    frame.set(body, BODY_START);
    return { frame, nonce: `${this.session}:${seq}` };
  }

  /**
   * The message inside a genuine, fresh frame that `seen` (one per subscription: every subscriber
   * gets its own copy) has not seen; `undefined` (counted, logged) otherwise.
   */
  open(context: string, payload: unknown, seen: ReplayGuard): Opened | undefined {
    if (!isBytes(payload) || payload.length <= BODY_START || payload[0] !== SEALED_FRAME_MARKER || payload[1] !== FRAME_VERSION) return this.refuse('unauthenticated', context);
    const body = payload.subarray(BODY_START);
    if (!timingSafeEqual(this.mac(context, body), payload.subarray(MAC_START, BODY_START))) return this.refuse('altered', context);
    const [, session, seq, timestamp, inReplyTo, data] = this.codec.decode(body) as Body;
    const now = this.now();
    if (!(Math.abs(now - timestamp) <= FRESHNESS_WINDOW)) return this.refuse('stale', context);
    const admission = seen.admit(session, seq, now);
    if (admission !== 'fresh') return this.refuse(admission, context);
    return { data, nonce: `${session}:${seq}`, inReplyTo };
  }

  /** A new replay guard for one subscription. */
  newGuard(): ReplayGuard {
    return new ReplayGuard(FRESHNESS_WINDOW);
  }

  /** The data of a reply to the request sealed as `nonce`; throws `UnauthenticatedMessageError` otherwise. */
  openReply(payload: unknown, nonce: string): unknown {
    const opened = this.open(REPLY_CONTEXT, payload, this.replies);
    if (opened === undefined) throw new UnauthenticatedMessageError(this.lastRefusal);
    if (opened.inReplyTo !== nonce) {
      this.refuse('replayed', REPLY_CONTEXT);
      throw new UnauthenticatedMessageError('replayed');
    }
    return opened.data;
  }

  private mac(context: string, body: Uint8Array): Buffer {
    return createHmac('sha256', this.key).update(context).update('\0').update(body).digest();
  }

  private refuse(kind: AuthRefusal, context: string): undefined {
    this.refusals[kind]++;
    this.lastRefusal = kind;
    const where = context === REPLY_CONTEXT ? 'a reply' : `'${context}'`;
    this.notes.log(kind, `${this.who}: refused a message on ${where}: ${kind} (cluster secret); later ${kind} messages are only counted`);
    return undefined;
  }
}

/** Uninitialised (every byte is written next), from Node's buffer pool like `Buffer.allocUnsafe`. */
function sealedFrame(length: number): SealedFrame {
  const pooled = Buffer.allocUnsafe(length);
  return new SealedFrame(pooled.buffer, pooled.byteOffset, length);
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || Buffer.isBuffer(value);
}
