/**
 * Wire fuzz at the bus level: a plain nats.js connection publishes generated, mutated and hand-made
 * hostile byte strings (fast-check, fixed seed) onto subjects a NatsBus listens on. A second codec
 * with the same limits is the oracle for what each message should become: a value for the
 * handler, or a rejection of a given kind with an error reply when the message asked for one.
 */
import { expect as jestExpect } from '@jest/globals';
import fc from 'fast-check';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { NatsBus, REJECTED_HEADER } from '../../src/transport/nats-bus';
import { Codec, CODEC_VERSION, DecodeError, type CodecLimits } from '../../src/transport/codec';
import type { RejectionKind } from '../../src/transport/bus';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';
import { byteMutation } from '../support/byte-mutations';

const SEED = 20_261_121;
const GENERATED_MESSAGES = 10_000;
const LIMITS: CodecLimits = { maxPayload: 16 * 1024, maxDepth: 32 };
const SUBJECT = 'fuzz.in';
const REPLY_PREFIX = 'fuzz.reply';

interface WireCase {
  bytes: Uint8Array;
  /** Whether the message carries a reply subject. */
  reply: boolean;
}

type Outcome = { accepted: true; value: unknown } | { accepted: false; kind: RejectionKind };

const oracle = new Codec(LIMITS);

function expectedOutcome(bytes: Uint8Array): Outcome {
  try {
    return { accepted: true, value: oracle.decode(bytes) };
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    return { accepted: false, kind: error.kind };
  }
}

// ---- what gets published ----

const wireValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.uint8Array({ maxLength: 16 }),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
  fc.constant(undefined),
  fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 4 }).map((entries) => new Map(entries)),
  fc.array(fc.integer(), { maxLength: 4 }).map((items) => new Set(items)),
);

const generatedBytes = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 64 }).map((tail) => Uint8Array.from([0x92, CODEC_VERSION, ...tail])) },
  { weight: 4, arbitrary: fc.tuple(wireValue, byteMutation).map(([value, mutate]) => mutate(oracle.encode(value))) },
);

const wireCase = fc.record({ bytes: generatedBytes, reply: fc.integer({ min: 0, max: 3 }).map((n) => n === 0) });

function envelope(...body: number[]): Uint8Array {
  return Uint8Array.from([0x92, CODEC_VERSION, ...body]);
}

function ascii(text: string): number[] {
  return [0xa0 | text.length, ...Buffer.from(text)];
}

/** Hand-made messages aimed at the decoder's soft spots. */
const HOSTILE: Uint8Array[] = [
  new Uint8Array(0),
  envelope(...new Array<number>(10_000).fill(0x91), 0xc0),
  envelope(...Array.from({ length: 2000 }, () => [0x81, ...ascii('a')]).flat(), 0xc0),
  envelope(0xdd, 0xff, 0xff, 0xff, 0xff),
  envelope(0xdf, 0xff, 0xff, 0xff, 0xff),
  envelope(0xdb, 0xff, 0xff, 0xff, 0xff, 0x61),
  envelope(0xc6, 0xff, 0xff, 0xff, 0xff, 0x00),
  envelope(0xc9, 0xff, 0xff, 0xff, 0xff, 0x01),
  envelope(0xd4, 0x69, 0x00),
  envelope(0xd4, 0x70, 0x00),
  envelope(0xd4, 0x05, 0x00),
  envelope(0xd5, 0xff, 0x00, 0x00),
  envelope(0xc7, 0x02, 0x4d, 0x91, 0x01),
  envelope(0x81, ...ascii('__proto__'), 0x81, ...ascii('polluted'), 0xc3),
  envelope(0x81, ...ascii('constructor'), 0x81, ...ascii('prototype'), 0x81, ...ascii('polluted'), 0xc3),
  Uint8Array.from([0x92, 0x02, 0xc0]),
  Uint8Array.from([0x92, 0xc0, 0xc0]),
  Uint8Array.from([0x93, CODEC_VERSION, 0xc0, 0xc0]),
  envelope(0xc5, 0x50, 0x00, ...new Array<number>(0x5000).fill(0x41)),
];

/** Invalid Dates (timestamps out of range) are values too: equal when both are invalid. */
jestExpect.addEqualityTesters([(a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? Object.is(a.getTime(), b.getTime()) : undefined)]);

/** A value the codec can legitimately produce: plain data, nothing with a foreign prototype. */
function isWireValue(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function' && typeof value !== 'symbol';
  if (value instanceof Uint8Array || value instanceof Date) return true;
  if (Array.isArray(value)) return value.every(isWireValue);
  if (value instanceof Map) return [...value].flat().every(isWireValue);
  if (value instanceof Set) return [...value].every(isWireValue);
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && Object.values(value).every(isWireValue);
}

describe('NatsBus wire fuzz', () => {
  let server: NatsServer;
  let raw: NatsConnection;

  beforeAll(async () => {
    server = await NatsServer.start();
    raw = await connect({ servers: server.url });
  });

  afterAll(async () => {
    await raw?.close();
    await server?.stop();
  });

  test(`${GENERATED_MESSAGES} generated and mutated messages plus hostile ones: counted, answered, never handled as garbage`, async () => {
    const cases: WireCase[] = [
      ...fc.sample(wireCase, { seed: SEED, numRuns: GENERATED_MESSAGES }),
      ...HOSTILE.flatMap((bytes) => [{ bytes, reply: false }, { bytes, reply: true }]),
    ];
    const outcomes = cases.map((wire) => expectedOutcome(wire.bytes));
    const bus = await NatsBus.connect({ servers: server.url, limits: LIMITS });
    const handled: unknown[] = [];
    bus.subscribe(SUBJECT, (message) => {
      handled.push(message.data);
      if (message.reply !== undefined) bus.publish(message.reply, 'ok');
    });
    await bus.flush();
    const replies = new Map<number, Msg>();
    raw.subscribe(`${REPLY_PREFIX}.>`, {
      callback: (error, msg) => {
        if (error === null) replies.set(Number(msg.subject.split('.').pop()), msg);
      },
    });
    await raw.flush();

    try {
      cases.forEach((wire, i) => raw.publish(SUBJECT, wire.bytes, wire.reply ? { reply: `${REPLY_PREFIX}.${i}` } : undefined));
      await raw.flush();
      const settled = (): number => bus.stats().delivered + Object.values(bus.stats().rejected).reduce((sum, n) => sum + n, 0);
      await waitFor(() => settled() === cases.length, 10_000, 'every fuzzed message to be delivered or rejected');
      const expectedReplies = cases.filter((wire) => wire.reply).length;
      await waitFor(() => replies.size === expectedReplies, 10_000, 'a reply to every message that asked for one');

      expect(handled).toEqual(outcomes.flatMap((outcome) => (outcome.accepted ? [outcome.value] : [])));
      expect(handled.filter((value) => !isWireValue(value))).toEqual([]);
      expect(Object.prototype).not.toHaveProperty('polluted');
      expect(bus.stats().rejected).toEqual(tally(outcomes));
      expect(bus.stats().handlerErrors).toBe(0);
      expect(bus.status).toBe('connected');
      for (const kind of ['malformed', 'oversized', 'too-deep', 'unknown-version'] as const) expect(tally(outcomes)[kind]).toBeGreaterThan(0);
      expect(handled.length).toBeGreaterThan(1000);

      expectReplies(cases, outcomes, replies);

      const client = await NatsBus.connect({ servers: server.url });
      await expect(client.request(SUBJECT, { after: 'the fuzz' }, { timeout: 2000 })).resolves.toBe('ok');
      expect(handled[handled.length - 1]).toEqual({ after: 'the fuzz' });
      await client.close();
    } finally {
      await bus.close();
    }
  });

  test('garbage sent to a bus\'s reply inbox settles no other request; a garbage reply fails its request with a DecodeError', async () => {
    const requester = await NatsBus.connect({ servers: server.url, limits: LIMITS });
    const responder = await NatsBus.connect({ servers: server.url });
    const spoofer = raw.subscribe('fuzz.spoofed', {
      callback: (error, msg) => {
        if (error === null) msg.respond(Uint8Array.from([0x92, CODEC_VERSION, 0xdc]));
      },
    });
    try {
      const inboxes: string[] = [];
      responder.subscribe('fuzz.echo', (message) => {
        inboxes.push(message.reply!);
        responder.publish(message.reply!, message.data);
      });
      await Promise.all([responder.flush(), raw.flush()]);
      await expect(requester.request('fuzz.echo', 'first')).resolves.toBe('first');
      const inboxPrefix = inboxes[0].slice(0, inboxes[0].lastIndexOf('.') + 1);

      const waiting = Array.from({ length: 50 }, (_, i) => requester.request('fuzz.echo', i, { timeout: 5000 }));
      const suffixes = fc.oneof(fc.integer({ min: 1_000_000 }).map(String), fc.stringMatching(/^[a-z_-][a-z0-9_-]{0,7}$/), fc.constantFrom('0', '-1', '1.5', 'NaN', 'Infinity'));
      const garbage = fc.sample(fc.tuple(suffixes, generatedBytes), { seed: SEED, numRuns: 2000 });
      for (const [suffix, bytes] of garbage) raw.publish(`${inboxPrefix}${suffix}`, bytes);
      await raw.flush();

      await expect(Promise.all(waiting)).resolves.toEqual(Array.from({ length: 50 }, (_, i) => i));
      const spoofed = requester.request('fuzz.spoofed', 'anything', { timeout: 5000 });
      await expect(spoofed).rejects.toBeInstanceOf(DecodeError);
      await expect(requester.request('fuzz.echo', 'still fine')).resolves.toBe('still fine');
    } finally {
      spoofer.unsubscribe();
      await Promise.all([requester.close(), responder.close()]);
    }
  });
});

test('the never-used byte 0xc1 is refused as malformed, not handed over as msgpackr\'s shared C1 object', () => {
  expect(() => oracle.decode(Uint8Array.from([0x92, CODEC_VERSION, 0x91, 0xc1]))).toThrow(DecodeError);
});

/** The handler's 'ok' for accepted messages that asked for a reply, a rejection naming the reason for the rest. */
function expectReplies(cases: WireCase[], outcomes: Outcome[], replies: Map<number, Msg>): void {
  cases.forEach((wire, i) => {
    if (!wire.reply) return;
    const outcome = outcomes[i];
    const reply = replies.get(i)!;
    if (outcome.accepted) expect(oracle.decode(reply.data)).toBe('ok');
    else expect(reply.headers?.get(REJECTED_HEADER)).toMatch(new RegExp(`^${outcome.kind}: `));
  });
}

function tally(outcomes: Outcome[]): Record<RejectionKind, number> {
  const counts: Record<RejectionKind, number> = { malformed: 0, oversized: 0, 'too-deep': 0, 'unknown-version': 0 };
  for (const outcome of outcomes) if (!outcome.accepted) counts[outcome.kind]++;
  return counts;
}
