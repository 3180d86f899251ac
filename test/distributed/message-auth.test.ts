import { Client } from '../../src';
import { ArgumentRangeError, ArgumentTypeError } from '../../src/errors';
import { Worker } from '../../src/distributed/worker/worker';
import { FRESHNESS_WINDOW, MessageAuth, REPLY_CONTEXT, UnauthenticatedMessageError } from '../../src/distributed/message-auth';
import { PROTOCOL_VERSION } from '../../src/distributed/protocol';
import type { ReplayGuard } from '../../src/distributed/replay-guard';

const SECRET = 'a cluster secret of some length';
const SUBJECT = 'rivulet.results.c1-1';
const RESULTS = { v: PROTOCOL_VERSION, worker: 'w1', results: [{ seq: 0, attempt: 0, ok: true, values: [2] }] };

function pair(clock = { now: 1_000_000 }): { sender: MessageAuth; receiver: MessageAuth; seen: ReplayGuard; clock: { now: number }; lines: string[] } {
  const lines: string[] = [];
  jest.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line));
  const now = (): number => clock.now;
  const receiver = new MessageAuth(SECRET, 'c1', 'rivulet client c1', now);
  return { sender: new MessageAuth(SECRET, 'w1', 'sender', now), receiver, seen: receiver.newGuard(), clock, lines };
}

afterEach(() => jest.restoreAllMocks());

describe('MessageAuth', () => {
  test('a sealed message opens on the subject it was sealed for, once', () => {
    const { sender, receiver, seen } = pair();
    const { frame } = sender.seal(SUBJECT, RESULTS);
    expect(receiver.open(SUBJECT, frame, seen)?.data).toEqual(RESULTS);
    expect(receiver.open(SUBJECT, frame, seen)).toBeUndefined();
    expect(receiver.refusals).toEqual({ unauthenticated: 0, altered: 0, stale: 0, replayed: 1 });
  });

  test('plain messages, other subjects, other secrets and flipped bits are refused by kind', () => {
    const { sender, receiver, seen } = pair();
    const stranger = new MessageAuth('another secret, just as long', 'x', 'x');
    const { frame } = sender.seal(SUBJECT, RESULTS);
    const flipped = Buffer.from(frame);
    flipped[flipped.length - 1] ^= 1;
    expect(receiver.open(SUBJECT, RESULTS, seen)).toBeUndefined();
    expect(receiver.open('rivulet.results.c1-2', frame, seen)).toBeUndefined();
    expect(receiver.open(SUBJECT, stranger.seal(SUBJECT, RESULTS).frame, seen)).toBeUndefined();
    expect(receiver.open(SUBJECT, flipped, seen)).toBeUndefined();
    expect(receiver.refusals).toEqual({ unauthenticated: 1, altered: 3, stale: 0, replayed: 0 });
    expect(receiver.open(SUBJECT, frame, seen)?.data).toEqual(RESULTS);
  });

  test('a message older than the freshness window is stale, and so is one from the future', () => {
    const { sender, receiver, clock, seen } = pair();
    const old = sender.seal(SUBJECT, RESULTS).frame;
    clock.now += FRESHNESS_WINDOW + 1;
    expect(receiver.open(SUBJECT, old, seen)).toBeUndefined();
    const future = sender.seal(SUBJECT, RESULTS).frame;
    clock.now -= 2 * FRESHNESS_WINDOW + 2;
    expect(receiver.open(SUBJECT, future, seen)).toBeUndefined();
    expect(receiver.refusals.stale).toBe(2);
  });

  test('a message 1024 or more behind the newest of its sender is stale even within the window', () => {
    const { sender, receiver, seen } = pair();
    const first = sender.seal(SUBJECT, 0).frame;
    const frames = Array.from({ length: 1024 }, (_, i) => sender.seal(SUBJECT, i + 1).frame);
    expect(frames.every((frame) => receiver.open(SUBJECT, frame, seen) !== undefined)).toBe(true);
    expect(receiver.open(SUBJECT, first, seen)).toBeUndefined();
    expect(receiver.refusals.stale).toBe(1);
  });

  test('out-of-order messages within the window are accepted once each', () => {
    const { sender, receiver, seen } = pair();
    const frames = Array.from({ length: 10 }, (_, i) => sender.seal(SUBJECT, i).frame);
    const order = [9, 3, 0, 5, 1, 2, 8, 4, 6, 7];
    expect(order.map((i) => receiver.open(SUBJECT, frames[i], seen)?.data)).toEqual(order);
    expect(order.map((i) => receiver.open(SUBJECT, frames[i], seen))).toEqual(order.map(() => undefined));
  });

  test('a reply opens only for the request it answers', () => {
    const { sender, receiver } = pair();
    const request = receiver.seal('rivulet.tasks.default', 'batch');
    const other = receiver.seal('rivulet.tasks.default', 'batch');
    const asked = sender.open('rivulet.tasks.default', request.frame, sender.newGuard())!;
    const reply = sender.seal(REPLY_CONTEXT, 'ack', asked.nonce).frame;
    expect(() => receiver.openReply(reply, other.nonce)).toThrow(UnauthenticatedMessageError);
    expect(receiver.refusals.replayed).toBe(1);
    const again = sender.seal(REPLY_CONTEXT, 'ack', asked.nonce).frame;
    expect(receiver.openReply(again, request.nonce)).toBe('ack');
    expect(() => receiver.openReply(sender.seal(SUBJECT, 'ack', asked.nonce).frame, request.nonce)).toThrow('refused an altered reply');
  });

  test('each kind is logged once, without the secret', () => {
    const { receiver, seen, lines } = pair();
    for (let i = 0; i < 100; i++) receiver.open(SUBJECT, { forged: i }, seen);
    expect(lines).toEqual([`rivulet client c1: refused a message on '${SUBJECT}': unauthenticated (cluster secret); later unauthenticated messages are only counted`]);
    expect(receiver.refusals.unauthenticated).toBe(100);
  });

  test('the secret is a string or bytes of at least 16 bytes, never shown in the error', () => {
    expect(() => new MessageAuth('fifteen bytes!!', 'w', 'w')).toThrow(new ArgumentRangeError('secret', '', undefined, 'secret must be at least 16 bytes, got 15'));
    expect(() => new MessageAuth(42 as unknown as string, 'w', 'w')).toThrow(ArgumentTypeError);
    expect(() => new MessageAuth(Buffer.alloc(16, 7), 'w', 'w')).not.toThrow();
  });

  test('Client and Worker check the secret when built; a Client takes it only with servers', () => {
    expect(() => new Client({ servers: 'nats://127.0.0.1:4222', secret: 'short' })).toThrow(new ArgumentRangeError('secret', '', undefined, 'secret must be at least 16 bytes, got 5'));
    expect(() => new Worker({ secret: Buffer.alloc(8) })).toThrow('secret must be at least 16 bytes, got 8');
    expect(() => new Client({ secret: SECRET })).toThrow(expect.objectContaining({ name: 'ArgumentRangeError', argument: 'secret' }));
    expect(() => new Worker({ id: 'a.b' })).toThrow(expect.objectContaining({ name: 'ArgumentRangeError', argument: 'id' }));
  });
});
