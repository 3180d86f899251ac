/**
 * The behaviour every Bus must show, run against each implementation. A fixture opens several
 * peers on one network (for the in-process bus they are the same bus; over NATS, separate
 * connections), so the suite checks what crosses from one peer to another.
 */
import {
  BusClosedError,
  NoRespondersError,
  RequestTimeoutError,
  type Bus,
  type Message,
} from '../../src/transport/bus';
import { ArgumentTypeError } from '../../src/errors';
import { waitFor } from '../support/wait-for';

export interface BusFixture {
  /** `count` peers on one network. */
  peers(count: number): Promise<Bus[]>;
  /** A bus of its own, for tests that close it. */
  fresh(): Promise<Bus>;
  /** Closes everything the fixture opened. */
  teardown(): Promise<void>;
}

function collect<T>(bus: Bus, subject: string, queue?: string): Message<T>[] {
  const received: Message<T>[] = [];
  bus.subscribe<T>(subject, (message) => received.push(message), queue === undefined ? undefined : { queue });
  return received;
}

/** Makes sure subscriptions reached the server before anything is published. */
async function settle(buses: Bus[]): Promise<void> {
  await Promise.all(buses.map((bus) => bus.flush()));
}

let subjectCount = 0;
function uniqueSubject(name: string): string {
  return `conformance.${name}.${++subjectCount}`;
}

export interface BusCapabilities {
  /** Whether a request to a subject nobody listens on fails at once (default true). */
  noResponders?: boolean;
}

export function describeBusConformance(name: string, makeFixture: () => Promise<BusFixture>, capabilities: BusCapabilities = {}): void {
  describe(`${name} conformance`, () => {
    let fixture: BusFixture;
    let a: Bus;
    let b: Bus;
    let c: Bus;

    beforeAll(async () => {
      fixture = await makeFixture();
      [a, b, c] = await fixture.peers(3);
    });

    afterAll(async () => {
      await fixture.teardown();
    });

    test('publish reaches a subscriber with subject, data and headers', async () => {
      const subject = uniqueSubject('pubsub');
      const received = collect<{ x: number }>(b, subject);
      await settle([b]);
      a.publish(subject, { x: 1 }, { headers: { trace: 'abc' } });
      await waitFor(() => received.length === 1);
      expect(received[0].subject).toBe(subject);
      expect(received[0].data).toEqual({ x: 1 });
      expect(received[0].headers?.trace).toBe('abc');
    });

    test('every plain subscriber gets every message', async () => {
      const subject = uniqueSubject('fanout');
      const first = collect(b, subject);
      const second = collect(c, subject);
      await settle([b, c]);
      for (let i = 0; i < 10; i++) a.publish(subject, i);
      await waitFor(() => first.length === 10 && second.length === 10);
      expect(first.map((m) => m.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(second.map((m) => m.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    test("'*' matches exactly one token and '>' one or more trailing tokens", async () => {
      const root = uniqueSubject('wild');
      const star = collect(b, `${root}.*.end`);
      const tail = collect(b, `${root}.>`);
      const exact = collect(b, `${root}.x.end`);
      await settle([b]);
      for (const suffix of ['x.end', 'y.end', 'x.y.end', 'x', 'x.end.more']) a.publish(`${root}.${suffix}`, suffix);
      a.publish(root, 'root itself');
      a.publish(`${root}x.end`, 'other prefix');
      await waitFor(() => tail.length === 5);
      await settle([a, b]);
      expect(star.map((m) => m.data)).toEqual(['x.end', 'y.end']);
      expect(tail.map((m) => m.data)).toEqual(['x.end', 'y.end', 'x.y.end', 'x', 'x.end.more']);
      expect(exact.map((m) => m.data)).toEqual(['x.end']);
    });

    test('invalid subjects are refused with ArgumentTypeError', () => {
      expect(() => a.publish('a.*.c', 1)).toThrow(ArgumentTypeError);
      expect(() => a.publish('a..c', 1)).toThrow(ArgumentTypeError);
      expect(() => a.publish('', 1)).toThrow(ArgumentTypeError);
      expect(() => a.subscribe('a.>.c', () => undefined)).toThrow(ArgumentTypeError);
      expect(() => a.subscribe('a b', () => undefined)).toThrow(ArgumentTypeError);
    });

    test('a queue group delivers each message to exactly one member, spread over members', async () => {
      const subject = uniqueSubject('queue');
      const members = [collect<number>(a, subject, 'workers'), collect<number>(b, subject, 'workers'), collect<number>(c, subject, 'workers')];
      const otherGroup = collect<number>(c, subject, 'auditors');
      const plain = collect<number>(b, subject);
      await settle([a, b, c]);
      const total = 300;
      for (let i = 0; i < total; i++) a.publish(subject, i);
      await waitFor(() => members.reduce((sum, m) => sum + m.length, 0) === total && plain.length === total && otherGroup.length === total);
      await settle([a, b, c]);
      const seen = members.flatMap((m) => m.map((message) => message.data)).sort((x, y) => x - y);
      expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
      for (const member of members) expect(member.length).toBeGreaterThan(total / 10);
    });

    test('queue members subscribed with different patterns form one group', async () => {
      const root = uniqueSubject('queue-patterns');
      const wild = collect<number>(a, `${root}.*`, 'mixed');
      const exact = collect<number>(b, `${root}.x`, 'mixed');
      await settle([a, b]);
      for (let i = 0; i < 50; i++) c.publish(`${root}.x`, i);
      await waitFor(() => wild.length + exact.length === 50);
      await settle([a, b, c]);
      expect(wild.length + exact.length).toBe(50);
    });

    test('request resolves with the reply and replies are matched to their requests', async () => {
      const subject = uniqueSubject('echo');
      b.subscribe<number>(subject, (message) => b.publish(message.reply!, message.data * 2));
      await settle([b]);
      expect(await a.request(subject, 21)).toBe(42);
      const replies = await Promise.all(Array.from({ length: 256 }, (_, i) => a.request<number>(subject, i)));
      expect(replies).toEqual(Array.from({ length: 256 }, (_, i) => i * 2));
    });

    test('a request nobody answers rejects with RequestTimeoutError', async () => {
      const subject = uniqueSubject('silent');
      b.subscribe(subject, () => undefined);
      await settle([b]);
      const error = await a.request(subject, 1, { timeout: 50 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RequestTimeoutError);
      expect(error).toMatchObject({ subject, timeout: 50 });
    });

    (capabilities.noResponders === false ? test.skip : test)('a request to a subject without subscribers rejects with NoRespondersError', async () => {
      const subject = uniqueSubject('nobody');
      await expect(a.request(subject, 1, { timeout: 2000 })).rejects.toBeInstanceOf(NoRespondersError);
    });

    test('a publisher\'s messages arrive in order', async () => {
      const subject = uniqueSubject('order');
      const received = collect<number>(b, subject);
      await settle([b]);
      const total = 5000;
      for (let i = 0; i < total; i++) a.publish(subject, i);
      await waitFor(() => received.length === total);
      expect(received.every((m, i) => m.data === i)).toBe(true);
    });

    test('1 MB payloads arrive intact', async () => {
      const subject = uniqueSubject('large');
      const received = collect<Uint8Array>(b, subject);
      await settle([b]);
      const payload = new Uint8Array(1_000_000).map((_, i) => i % 251);
      a.publish(subject, payload);
      await waitFor(() => received.length === 1);
      expect(received[0].data).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(received[0].data).equals(Buffer.from(payload))).toBe(true);
    });

    test('unsubscribe stops delivery', async () => {
      const subject = uniqueSubject('unsub');
      const received: unknown[] = [];
      const subscription = b.subscribe(subject, (message) => received.push(message.data));
      await settle([b]);
      a.publish(subject, 'before');
      await waitFor(() => received.length === 1);
      subscription.unsubscribe();
      subscription.unsubscribe();
      await settle([b]);
      a.publish(subject, 'after');
      const marker = uniqueSubject('marker');
      const markers = collect(b, marker);
      await settle([b]);
      a.publish(marker, 'done');
      await waitFor(() => markers.length === 1);
      expect(received).toEqual(['before']);
    });

    test('a throwing handler is counted and does not stop delivery to others', async () => {
      const subject = uniqueSubject('throws');
      const errors: unknown[] = [];
      const bus = await fixture.fresh();
      const failing = new Error('handler failure');
      bus.subscribe(subject, () => {
        throw failing;
      });
      const received = collect(bus, subject);
      await settle([bus]);
      const originalError = console.error;
      console.error = (...args: unknown[]) => errors.push(args);
      try {
        bus.publish(subject, 1);
        bus.publish(subject, 2);
        await waitFor(() => received.length === 2);
      } finally {
        console.error = originalError;
      }
      expect(bus.stats().handlerErrors).toBe(2);
      expect(errors).toHaveLength(2);
      await bus.close();
    });

    test('stats count published and delivered messages', async () => {
      const bus = await fixture.fresh();
      const subject = uniqueSubject('stats');
      const received = collect(bus, subject);
      await settle([bus]);
      bus.publish(subject, 1);
      bus.publish(subject, 2);
      await waitFor(() => received.length === 2);
      expect(bus.stats()).toMatchObject({ published: 2, delivered: 2, handlerErrors: 0 });
      expect(bus.stats().rejected).toEqual({ malformed: 0, oversized: 0, 'too-deep': 0, 'unknown-version': 0 });
      await bus.close();
    });

    test('drain delivers what was published, then closes; a closed bus refuses work', async () => {
      const bus = await fixture.fresh();
      const subject = uniqueSubject('drain');
      const received = collect(bus, subject);
      const statuses: string[] = [];
      bus.onStatus((event) => statuses.push(event.status));
      await settle([bus]);
      for (let i = 0; i < 100; i++) bus.publish(subject, i);
      await bus.drain();
      expect(received).toHaveLength(100);
      expect(bus.status).toBe('closed');
      expect(statuses).toContain('closed');
      expect(() => bus.publish(subject, 1)).toThrow(BusClosedError);
      await expect(bus.request(subject, 1)).rejects.toBeInstanceOf(BusClosedError);
      await bus.close();
    });

    test('close rejects requests still waiting for a reply', async () => {
      const bus = await fixture.fresh();
      const subject = uniqueSubject('pending');
      bus.subscribe(subject, () => undefined);
      await settle([bus]);
      const waiting = bus.request(subject, 1, { timeout: 10_000 });
      await bus.close();
      await expect(waiting).rejects.toBeInstanceOf(BusClosedError);
      expect(bus.status).toBe('closed');
    });
  });
}
