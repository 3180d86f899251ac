import { createInbox } from '@nats-io/transport-node';
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { ArgumentRangeError, ArgumentTypeError, observeActors, Stream } from '../../src';
import type { FromNats } from '../../src/sources/from-nats';
import type { ToNats } from '../../src/nodes/to-nats';
import { InProcessBus } from '../../src/transport/in-process-bus';
import { NatsBus } from '../../src/transport/nats-bus';
import { readConsumerReport } from '../../src/links/link-protocol';
import { isPending } from '../support/is-pending';
import { ManualScheduler } from '../support/manual-scheduler';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';

let server: NatsServer;
const buses: NatsBus[] = [];
const cleanups: Array<() => unknown> = [];
let subjects = 0;

beforeAll(async () => {
  server = await NatsServer.start();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
  await server?.stop();
});

async function openBus(): Promise<NatsBus> {
  const bus = await NatsBus.connect({ servers: server.url });
  buses.push(bus);
  return bus;
}

function freshSubject(): string {
  return `link.test.${++subjects}`;
}

/** A message round trip through the server on `bus`, so whatever it sent before has arrived. */
async function roundTrip(...through: NatsBus[]): Promise<void> {
  await Promise.all(through.map((bus) => bus.flush()));
}

interface Producer {
  source: Stream<number>;
  sink: ToNats<number>;
  bus: NatsBus;
}

async function startProducer(subject: string, scheduler?: ManualScheduler): Promise<Producer> {
  const bus = await openBus();
  const source = new Stream<number>();
  const sink = source.toNats(subject, { client: bus, credits: true, ...(scheduler === undefined ? {} : { scheduler, heartbeatInterval: 100 }) });
  cleanups.push(() => sink.destroy());
  return { source, sink, bus };
}

interface Consumer {
  source: FromNats<number>;
  seen: number[];
  bus: NatsBus;
}

/** A started consumer whose sink records each element, then waits for `accept(x)` (default: takes it at once). */
async function startConsumer(subject: string, credits: number, accept?: (x: number) => Promise<void> | void, scheduler?: ManualScheduler): Promise<Consumer> {
  const bus = await openBus();
  const source = Stream.fromNats<number>(subject, { client: bus, credits, ...(scheduler === undefined ? {} : { scheduler, heartbeatInterval: 100 }) });
  const seen: number[] = [];
  source.sink((x: number) => {
    seen.push(x);
    return accept?.(x);
  });
  await source.start();
  cleanups.push(() => source.stop());
  return { source, seen, bus };
}

/** A promise the test opens when it likes. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

describe('flow-controlled links: toNats({ credits: true }) -> fromNats({ credits })', () => {
  test('emit waits while no consumer exists and goes on once one joins', async () => {
    const subject = freshSubject();
    const producer = await startProducer(subject);
    const first = producer.source.emit(1);
    expect(first).toBeInstanceOf(Promise);
    await roundTrip(producer.bus);
    expect(await isPending(first as Promise<void>)).toBe(true);
    expect(producer.sink.link?.state).toBe('waitingForConsumers');
    const consumer = await startConsumer(subject, 4);
    await first;
    await producer.source.drain();
    expect(consumer.seen).toEqual([1]);
  });

  test('a consumer holds at most `credits` messages its pipeline has not accepted; meanwhile the producer waits', async () => {
    const subject = freshSubject();
    const release = gate();
    const consumer = await startConsumer(subject, 3, () => release.wait);
    const producer = await startProducer(subject);
    const emits = Array.from({ length: 10 }, (_, i) => producer.source.emit(i));
    await waitFor(() => consumer.source.link?.held === 3, 5000, 'three messages held');
    await roundTrip(producer.bus, consumer.bus);
    await roundTrip(producer.bus, consumer.bus);
    expect(consumer.seen).toEqual([0]);
    expect(consumer.source.link?.held).toBe(3);
    expect(producer.sink.link?.unacknowledged).toBe(3);
    expect(await isPending(emits[9] as Promise<void>)).toBe(true);
    expect(producer.sink.link?.state).toBe('saturated');
    expect(consumer.source.link?.state).toBe('saturated');
    release.open();
    await Promise.all(emits);
    await producer.source.drain();
    expect(consumer.seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(producer.sink.link?.unacknowledged).toBe(0);
  });

  test('drain() waits until the consumer accepted every element', async () => {
    const subject = freshSubject();
    const release = gate();
    const consumer = await startConsumer(subject, 4, () => release.wait);
    const producer = await startProducer(subject);
    await waitFor(() => producer.sink.link?.window === 4, 5000, 'the consumer’s credits');
    expect(producer.source.emit(7)).toBeUndefined();
    const drained = producer.source.drain();
    await waitFor(() => consumer.seen.length === 1, 5000, 'the element to arrive');
    await roundTrip(producer.bus, consumer.bus);
    expect(await isPending(drained)).toBe(true);
    release.open();
    await drained;
    expect(producer.sink.link?.unacknowledged).toBe(0);
  });

  test('replicas in one queue group share the subject: each message reaches exactly one of them', async () => {
    const subject = freshSubject();
    const a = await startConsumer(subject, 4);
    const b = await startConsumer(subject, 4);
    const producer = await startProducer(subject);
    for (let i = 0; i < 200; i++) await producer.source.emit(i);
    await producer.source.drain();
    expect([...a.seen, ...b.seen].sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(a.seen.length).toBeGreaterThan(0);
    expect(b.seen.length).toBeGreaterThan(0);
  });

  test('a replica that stops gives back the messages it queued; the producer sends them to another at once', async () => {
    const subject = freshSubject();
    const release = gate();
    const leaving = await startConsumer(subject, 4, () => release.wait);
    const producer = await startProducer(subject);
    const emits = [0, 1, 2, 3].map((i) => producer.source.emit(i));
    await waitFor(() => leaving.source.link?.held === 4, 5000, 'four messages held');
    const staying = await startConsumer(subject, 4);
    await leaving.source.stop();
    await waitFor(() => staying.seen.length === 3, 5000, 'the queued messages at the other replica');
    expect(staying.seen).toEqual([1, 2, 3]);
    // the message the stopped pipeline was working on is acknowledged when it is accepted
    release.open();
    await Promise.all(emits);
    await producer.source.drain();
    expect(leaving.seen).toEqual([0]);
  });

  test('a replica whose connection dies has its unacknowledged messages sent to another after a few heartbeats', async () => {
    const subject = freshSubject();
    const clock = new ManualScheduler();
    const dying = await startConsumer(subject, 4, () => new Promise(() => undefined), clock);
    dying.source.errors.sink(() => undefined);
    const producer = await startProducer(subject, clock);
    [0, 1, 2, 3].forEach((i) => producer.source.emit(i));
    await waitFor(() => dying.source.link?.held === 4, 5000, 'four messages held');
    const survivor = await startConsumer(subject, 4, undefined, clock);
    await dying.bus.close();
    for (let tick = 0; tick < 8 && survivor.seen.length < 4; tick++) {
      clock.advance(100);
      await roundTrip(producer.bus, survivor.bus);
      await roundTrip(producer.bus, survivor.bus);
    }
    await waitFor(() => survivor.seen.length === 4, 5000, 'the dead replica’s messages at the survivor');
    expect([...survivor.seen].sort()).toEqual([0, 1, 2, 3]);
    await producer.source.drain();
    expect(producer.sink.link?.resent).toBe(4);
  });

  test('a message sent again to a consumer that has it is acknowledged again and dropped', async () => {
    const subject = freshSubject();
    const consumer = await startConsumer(subject, 4);
    const bus = await openBus();
    const inbox = createInbox();
    const acked: number[] = [];
    bus.subscribe(`${inbox}.ack`, (message) => acked.push(...readConsumerReport(message.data).acked));
    await bus.flush();
    bus.publish(subject, 5, { reply: `${inbox}.1` });
    bus.publish(subject, 5, { reply: `${inbox}.1` });
    bus.publish(subject, 6, { reply: `${inbox}.2` });
    await waitFor(() => acked.length === 3, 5000, 'three acknowledgements');
    expect(acked.sort()).toEqual([1, 1, 2]);
    expect(consumer.seen).toEqual([5, 6]);
    expect(consumer.source.link?.duplicates).toBe(1);
  });

  test('the link actors change state when the situation changes, not once per message', async () => {
    const events: InspectionEvent[] = [];
    const stopObserving = observeActors((event) => {
      if (event.type === '@xstate.event' && /^link-/.test((event.actorRef as AnyActorRef).id)) events.push(event);
    });
    cleanups.push(stopObserving);
    const subject = freshSubject();
    const clock = new ManualScheduler();
    const producer = await startProducer(subject, clock);
    expect(producer.sink.link?.state).toBe('waitingForConsumers');
    const consumer = await startConsumer(subject, 8, undefined, clock);
    await waitFor(() => producer.sink.link?.state === 'linked', 5000, 'linked');
    for (let i = 0; i < 1000; i++) await producer.source.emit(i);
    await producer.source.drain();
    expect(producer.sink.link?.state).toBe('saturated');
    clock.advance(100);
    expect(producer.sink.link?.state).toBe('linked');
    expect(consumer.seen).toHaveLength(1000);
    const eventsOf = (actor: string): string[] =>
      events.filter((event) => (event.actorRef as AnyActorRef).id.startsWith(actor)).map((event) => (event as { event: { type: string } }).event.type);
    expect(eventsOf('link-producer-')).toEqual(['xstate.init', 'CONNECTED', 'CONSUMERS', 'CREDITS', 'CREDITS']);
    expect(eventsOf('link-consumer-')).toEqual(['xstate.init', 'JOINED']);
  });
});

describe('flow-controlled link options', () => {
  test('wrong options throw typed errors naming the option', () => {
    const source = new Stream<number>();
    const servers = 'nats://127.0.0.1:1';
    const bus = new InProcessBus();
    expect(() => source.toNats('s', { servers, credits: 'yes' as unknown as boolean })).toThrow(ArgumentTypeError);
    expect(() => source.toNats('s', { servers, credits: 'yes' as unknown as boolean })).toThrow(/credits/);
    expect(() => source.toNats('s', { client: bus, credits: true })).toThrow(/client must be a NatsBus/);
    expect(() => source.toNats('s', { servers, credits: true, heartbeatInterval: 0 })).toThrow(ArgumentRangeError);
    expect(() => source.toNats('s', { servers, heartbeatInterval: 100 })).toThrow(/heartbeatInterval/);
    expect(() => Stream.fromNats('s', { servers, credits: 0 })).toThrow(ArgumentRangeError);
    expect(() => Stream.fromNats('s', { servers, credits: 1.5 })).toThrow(/credits/);
    expect(() => Stream.fromNats('s', { servers, credits: '4' as unknown as number })).toThrow(ArgumentTypeError);
    expect(() => Stream.fromNats('s.*', { servers, credits: 4 })).toThrow(/subject must be a literal NATS subject/);
    expect(() => Stream.fromNats('s', { client: bus, credits: 4 })).toThrow(/client must be a NatsBus/);
    expect(() => Stream.fromNats('s', { servers, credits: 4, maxPending: 10 })).toThrow(/maxPending/);
    expect(() => Stream.fromNats('s', { servers, credits: 4, queue: 'a b' })).toThrow(/queue/);
    expect(() => Stream.fromNats('s', { servers, credits: 4, heartbeatInterval: -1 })).toThrow(/heartbeatInterval/);
    expect(() => Stream.fromNats('s', { servers, heartbeatInterval: 100 })).toThrow(/heartbeatInterval/);
  });
});
