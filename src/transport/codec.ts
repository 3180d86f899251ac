/**
 * What crosses a process boundary: msgpackr without records (`useRecords: false`), decoded with
 * msgpackr's eval-free build so nothing a peer sends reaches `new Function`. Every message is the
 * envelope `[version, data]`, whose first two bytes name the version before anything is decoded.
 * Decoding never throws anything but a `DecodeError` saying why the bytes were refused.
 *
 * Round-trips numbers, strings, Buffers and Uint8Arrays, arrays, plain objects, Date, Map, Set,
 * bigint and `undefined` (distinct from `null`). `-0` arrives as `0`.
 */
import { addExtension, Packr } from 'msgpackr';
import { addExtension as addDecoderExtension, C1, Unpackr } from 'msgpackr/unpack-no-eval';
import { ArgumentRangeError } from '../errors';
import type { RejectionKind } from './bus';

export const CODEC_VERSION = 1;
/** msgpack's fixarray-of-2 marker, the first byte of every envelope. */
const ENVELOPE_MARKER = 0x92;
const HIGHEST_FIXINT = 0x7f;
/** The envelope's head (marker and version) is checked by hand; msgpackr reads only the data after it. */
const ENVELOPE_HEAD_LENGTH = 2;
const AFTER_ENVELOPE_HEAD = { start: ENVELOPE_HEAD_LENGTH } as const;
/**
 * Messages up to this size are decoded from a copy in one reused buffer: msgpackr attaches a
 * DataView to every buffer it reads, which costs more than the copy for small messages.
 */
const SCRATCH_SIZE = 4096;

export const DEFAULT_MAX_PAYLOAD = 8 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 64;

export interface CodecLimits {
  /** Largest encoded message accepted, in bytes (default 8 MiB). */
  maxPayload?: number;
  /** Deepest nesting of arrays, objects, Maps and Sets accepted (default 64). */
  maxDepth?: number;
}

/** The first byte of a sealed frame: one msgpack never writes, so no envelope starts with it. */
export const SEALED_FRAME_MARKER = 0xc1;

/**
 * A frame sealed with the cluster secret (`MessageAuth`): already a whole message, which a codec
 * sends as it is instead of wrapping its bytes in an envelope (a second encoding and copy of every
 * message, and a second decoding on the other side).
 */
export class SealedFrame extends Uint8Array {}

/** Bytes off the wire that were refused; `kind` is the reason counted in `Bus.stats().rejected`. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly kind: RejectionKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A value that cannot be sent: too deep (or cyclic), too large, or of a type msgpack cannot carry. */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
}

/**
 * msgpackr writes every `Map` as a msgpack map, which decodes as a plain object once records are
 * off. Maps therefore travel as this wrapper, an extension of their own.
 */
class WireMap {
  /** Keys and values alternating. */
  constructor(readonly flatEntries: unknown[]) {}
}
const MAP_EXTENSION_TYPE = 0x4d;
/** Structured-clone references would let a small message expand into a huge graph. */
const REFERENCE_EXTENSION_TYPES = [0x69, 0x70];

function mapFromWire(flatEntries: unknown): Map<unknown, unknown> {
  if (!Array.isArray(flatEntries) || flatEntries.length % 2 !== 0) throw new DecodeError('malformed', 'bad Map entries');
  const map = new Map<unknown, unknown>();
  for (let i = 0; i < flatEntries.length; i += 2) map.set(flatEntries[i], flatEntries[i + 1]);
  return map;
}

addExtension({ Class: WireMap, type: MAP_EXTENSION_TYPE, write: (map: WireMap) => map.flatEntries, read: mapFromWire });
addDecoderExtension({ type: MAP_EXTENSION_TYPE, read: mapFromWire });
for (const type of REFERENCE_EXTENSION_TYPES) {
  addDecoderExtension({
    type,
    unpack: () => {
      throw new DecodeError('malformed', 'object references are not accepted');
    },
  });
}

const MSGPACK_OPTIONS = { useRecords: false, moreTypes: true, useBigIntExtension: true } as const;

export class Codec {
  readonly maxPayload: number;
  readonly maxDepth: number;
  private readonly packr = new Packr(MSGPACK_OPTIONS);
  /** Reused for every message; the data slot is cleared after packing so it holds on to nothing. */
  private readonly envelope: unknown[] = [CODEC_VERSION, undefined];
  private readonly unpackr = new Unpackr(MSGPACK_OPTIONS);
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_SIZE);
  /** Copies binary data out, since the scratch buffer is overwritten by the next message. */
  private readonly scratchUnpackr = new Unpackr({ ...MSGPACK_OPTIONS, copyBuffers: true });
  private readonly scratchRange = { start: ENVELOPE_HEAD_LENGTH, end: 0 };
  private sealedFrames = false;

  constructor(limits: CodecLimits = {}) {
    this.maxPayload = positiveInteger('maxPayload', limits.maxPayload ?? DEFAULT_MAX_PAYLOAD);
    this.maxDepth = positiveInteger('maxDepth', limits.maxDepth ?? DEFAULT_MAX_DEPTH);
  }

  /**
   * From now on a `SealedFrame` is sent as it is, and bytes that start with `SEALED_FRAME_MARKER`
   * are handed over as they are (`MessageAuth` opens them). Before, a frame travels inside an
   * envelope like any bytes, and such bytes are refused.
   */
  carrySealedFrames(): void {
    this.sealedFrames = true;
  }

  /** Throws `EncodeError` for values the limits or msgpack refuse. With `sealedFrames`, a `SealedFrame` is sent as it is. */
  encode(data: unknown): Uint8Array {
    let bytes: Uint8Array;
    if (data instanceof SealedFrame) {
      if (this.sealedFrames) return this.withinLimit(data);
      // msgpack's typed-array extension names the class: a subclass would not decode on the other side.
      data = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    }
    try {
      this.envelope[1] = this.toWire(data, 0);
      bytes = this.packr.pack(this.envelope);
    } catch (error) {
      throw error instanceof EncodeError ? error : new EncodeError(`cannot encode: ${String(error)}`, { cause: error });
    } finally {
      this.envelope[1] = undefined;
    }
    return this.withinLimit(bytes);
  }

  private withinLimit(bytes: Uint8Array): Uint8Array {
    if (bytes.length > this.maxPayload) {
      throw new EncodeError(`encoded message is ${bytes.length} bytes, over the ${this.maxPayload} byte limit`);
    }
    return bytes;
  }

  /**
   * Throws the `EncodeError` that `encode` would for `data` (an unsendable type, nesting too deep)
   * without encoding it: for buses whose messages are structured-cloned, which would throw on a
   * function and silently drop a class's methods.
   */
  checkSendable(data: unknown): void {
    this.toWire(data, 0);
  }

  /** Throws only `DecodeError`. */
  decode(bytes: Uint8Array): unknown {
    if (bytes.length > this.maxPayload) {
      throw new DecodeError('oversized', `message is ${bytes.length} bytes, over the ${this.maxPayload} byte limit`);
    }
    if (bytes[0] === SEALED_FRAME_MARKER) {
      if (this.sealedFrames) return bytes;
      throw new DecodeError('malformed', 'a message sealed with a cluster secret, and this side has none (give it the same secret)');
    }
    checkEnvelopeHead(bytes);
    let data: unknown;
    try {
      data = bytes.length <= SCRATCH_SIZE ? this.unpackScratch(bytes) : this.unpackr.unpack(bytes, AFTER_ENVELOPE_HEAD);
    } catch (error) {
      throw asDecodeError(error);
    }
    if (data !== null && typeof data === 'object') this.checkDecoded(data);
    return data;
  }

  private unpackScratch(bytes: Uint8Array): unknown {
    this.scratch.set(bytes);
    this.scratchRange.end = bytes.length;
    return this.scratchUnpackr.unpack(this.scratch, this.scratchRange);
  }

  /** Copies the value only where a Map needs wrapping; checks depth and cycles on the way. */
  private toWire(value: unknown, depth: number): unknown {
    if (typeof value === 'function' || typeof value === 'symbol') throw new EncodeError(`cannot send ${describeUnsendable(value)}: only data travels`);
    if (value === null || typeof value !== 'object') return value;
    if (depth >= this.maxDepth) throw new EncodeError(`value nests deeper than ${this.maxDepth} levels (or is cyclic)`);
    if (value instanceof Map) return new WireMap(this.wireItems([...value].flat(), depth));
    if (Array.isArray(value)) return this.wireItems(value, depth);
    if (value instanceof Set) {
      const items = [...value];
      const wired = this.wireItems(items, depth);
      return wired === items ? value : new Set(wired);
    }
    if (!isPlainObject(value)) return checkCarried(value);
    const values = Object.values(value);
    const wired = this.wireItems(values, depth);
    return wired === values ? value : Object.fromEntries(Object.keys(value).map((key, i) => [key, wired[i]]));
  }

  /** `items` itself when no item changed on the way to the wire, else a changed copy. */
  private wireItems(items: unknown[], depth: number): unknown[] {
    let copy: unknown[] | undefined;
    for (let i = 0; i < items.length; i++) {
      const wired = this.toWire(items[i], depth + 1);
      if (wired !== items[i]) copy ??= items.slice();
      if (copy !== undefined) copy[i] = wired;
    }
    return copy ?? items;
  }

  /**
   * Refuses nesting beyond `maxDepth` and msgpack's never-used byte 0xc1 (msgpackr returns a
   * placeholder object for it). Iterative, so hostile nesting cannot overflow the stack here.
   */
  private checkDecoded(root: object): void {
    const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
    while (stack.length > 0) {
      const { value, depth } = stack.pop()!;
      if (value === C1) throw new DecodeError('malformed', 'the byte 0xc1 is not msgpack');
      const children = childrenOf(value);
      if (children === undefined) continue;
      if (depth >= this.maxDepth) throw new DecodeError('too-deep', `message nests deeper than ${this.maxDepth} levels`);
      for (const child of children) {
        if (child !== null && typeof child === 'object') stack.push({ value: child, depth: depth + 1 });
      }
    }
  }
}

/** The root of a prototype chain: `Object.prototype` of any realm (a worker thread's messages, a vm context). */
function isRootPrototype(prototype: unknown): boolean {
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

function isPlainObject(value: object): boolean {
  return isRootPrototype(Object.getPrototypeOf(value));
}

/** Built-in classes msgpack carries as themselves, told by tag so that other realms' count too. */
const CARRIED_TAGS: ReadonlySet<string> = new Set(['[object Date]', '[object RegExp]', '[object Error]', '[object ArrayBuffer]', '[object Map]', '[object Set]']);

/** A class instance with methods would arrive as a plain object without them: refused, naming the class. */
function checkCarried(value: object): object {
  if (ArrayBuffer.isView(value) || CARRIED_TAGS.has(Object.prototype.toString.call(value))) return value;
  for (let prototype: unknown = Object.getPrototypeOf(value); !isRootPrototype(prototype); prototype = Object.getPrototypeOf(prototype)) {
    const methods = Object.getOwnPropertyNames(prototype).filter((name) => name !== 'constructor');
    if (methods.length > 0) throw new EncodeError(`cannot send an instance of class ${value.constructor?.name || '(anonymous)'}: its methods (${methods.slice(0, 3).join(', ')}) would not travel; send a plain object`);
  }
  return value;
}

function describeUnsendable(value: unknown): string {
  if (typeof value === 'symbol') return `a symbol (${value.toString()})`;
  const name = (value as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? `a function (${name})` : 'a function';
}

function childrenOf(value: unknown): Iterable<unknown> | undefined {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof Date) return undefined;
  if (Array.isArray(value)) return value;
  if (value instanceof Map) return [...value].flat();
  if (value instanceof Set) return value;
  return Object.values(value);
}

function checkEnvelopeHead(bytes: Uint8Array): void {
  if (bytes.length < 2 || bytes[0] !== ENVELOPE_MARKER) throw new DecodeError('malformed', 'not a message envelope');
  if (bytes[1] === CODEC_VERSION) return;
  if (bytes[1] <= HIGHEST_FIXINT) {
    throw new DecodeError('unknown-version', `envelope version ${bytes[1]} is not ${CODEC_VERSION}`);
  }
  throw new DecodeError('malformed', 'envelope has no version');
}

function asDecodeError(error: unknown): DecodeError {
  if (error instanceof DecodeError) return error;
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new DecodeError('too-deep', 'message nests too deeply to decode', { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new DecodeError('malformed', `undecodable message: ${reason}`, { cause: error });
}

function positiveInteger(argument: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new ArgumentRangeError(argument, 'a positive integer', value);
  return value;
}

/** A codec with the default limits. */
export const defaultCodec = new Codec();
