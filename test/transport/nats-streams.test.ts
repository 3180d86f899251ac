import { ArgumentTypeError, Stream } from '../../src';
import { InProcessBus } from '../../src/transport/in-process-bus';
import { NatsBus } from '../../src/transport/nats-bus';
import { BusClosedError, type Bus } from '../../src/transport/bus';
import type { FromNats } from '../../src/sources/from-nats';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';

let server: NatsServer;
const opened: Bus[] = [];

async function openBus(): Promise<NatsBus> {
  const bus = await NatsBus.connect({ servers: server.url });
  opened.push(bus);
  return bus;
}

beforeAll(async () => {
  server = await NatsServer.start();
});

afterAll(async () => {
  await Promise.all(opened.map((bus) => bus.close()));
  await server?.stop();
});

/**
 * A started source on an in-process bus whose downstream holds the first element until `open()`;
 * `seen` lists what downstream received.
 */
async function stalledAtFirst(subject: string, maxPending?: number): Promise<{ bus: InProcessBus; source: FromNats<number>; seen: number[]; open: () => void }> {
  const bus = new InProcessBus();
  const source = Stream.fromNats<number>(subject, { client: bus, maxPending });
  const seen: number[] = [];
  let open = (): void => undefined;
  const first = new Promise<void>((resolve) => {
    open = resolve;
  });
  source.sink((x: number) => {
    seen.push(x);
    return x === 0 ? first : undefined;
  });
  await source.start();
  return { bus, source, seen, open };
}

describe('Stream.fromNats', () => {
  test('emits the decoded data of each message on the subject, from its own connection', async () => {
    const source = Stream.fromNats<{ n: number; at: Date }>('sensors.*.reading', { servers: server.url });
    const out = source.sinkToList();
    await source.start();
    expect(source.state).toBe('running');
    expect(String(source)).toContain('sensors.*.reading');
    const publisher = await openBus();
    publisher.publish('sensors.a.reading', { n: 1, at: new Date(0) });
    publisher.publish('sensors.b.reading', { n: 2, at: new Date(1) });
    publisher.publish('sensors.a.other', { n: 3, at: new Date(2) });
    await waitFor(() => out.length === 2, 5000, 'two readings');
    expect(out).toEqual([{ n: 1, at: new Date(0) }, { n: 2, at: new Date(1) }]);
    await source.stop();
    expect(source.state).toBe('stopped');
    publisher.publish('sensors.a.reading', { n: 4, at: new Date(3) });
    await publisher.flush();
    expect(out).toHaveLength(2);
  });

  test('uses a bus it is given and leaves it open on stop', async () => {
    const bus = new InProcessBus();
    const source = Stream.fromNats<number>('numbers', { client: bus, start: true });
    const out = source.sinkToList();
    await source.start();
    bus.publish('numbers', 1);
    bus.publish('numbers', 2);
    expect(out).toEqual([1, 2]);
    await source.stop();
    expect(bus.status).toBe('connected');
    bus.publish('numbers', 3);
    expect(out).toEqual([1, 2]);
  });

  test('fails when the bus it was given closes under it', async () => {
    const bus = new InProcessBus();
    const source = Stream.fromNats('closing', { client: bus });
    const errors = source.errors.sinkToList();
    await source.start();
    await bus.close();
    expect(source.state).toBe('failed');
    expect(errors[0].error).toBeInstanceOf(BusClosedError);
  });

  test('sources in one queue group share the messages, each message once', async () => {
    const first = Stream.fromNats<number>('jobs', { servers: server.url, queue: 'workers' });
    const second = Stream.fromNats<number>('jobs', { servers: server.url, queue: 'workers' });
    const got = [first.sinkToList(), second.sinkToList()];
    await Promise.all([first.start(), second.start()]);
    const publisher = await openBus();
    for (let i = 0; i < 100; i++) publisher.publish('jobs', i);
    await waitFor(() => got[0].length + got[1].length === 100, 5000, 'all jobs');
    expect([...got[0], ...got[1]].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await Promise.all([first.stop(), second.stop()]);
  });

  test('messages that arrive while downstream is busy wait, in order, and drain() waits for them', async () => {
    const { bus, source, seen, open } = await stalledAtFirst('slow');
    for (let i = 0; i < 5; i++) bus.publish('slow', i);
    expect(seen).toEqual([0]);
    const drained = source.drain();
    open();
    await drained;
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    await source.stop();
  });

  test('beyond maxPending waiting messages, new ones are dropped and reported', async () => {
    const { bus, source, seen, open } = await stalledAtFirst('burst', 2);
    const errors = source.errors.sinkToList();
    for (let i = 0; i < 5; i++) bus.publish('burst', i);
    open();
    await source.drain();
    expect(seen).toEqual([0, 1, 2]);
    expect(source.dropped).toBe(2);
    expect(errors).toHaveLength(2);
    expect(errors[0].element).toBe(3);
    await source.stop();
  });

  test('bad arguments are refused', () => {
    const bus = new InProcessBus();
    expect(() => Stream.fromNats('a..b', { client: bus })).toThrow(ArgumentTypeError);
    expect(() => Stream.fromNats('a', {} as never)).toThrow(ArgumentTypeError);
    expect(() => Stream.fromNats('a', { client: bus, servers: 'nats://127.0.0.1:1' })).toThrow(ArgumentTypeError);
    expect(() => Stream.fromNats('a', { client: {} as Bus })).toThrow(ArgumentTypeError);
    expect(() => Stream.fromNats('a', { client: bus, maxPending: -1 })).toThrow(RangeError);
    expect(() => Stream.fromNats('a', { client: bus, token: 't' })).toThrow(expect.objectContaining({ argument: 'token' }));
    const nested = { servers: 'nats://127.0.0.1:1', nats: { token: 't' } } as never;
    expect(() => Stream.fromNats('a', nested)).toThrow(expect.objectContaining({ name: 'ArgumentRangeError', argument: 'nats' }));
    expect(() => new Stream<number>().toNats('a', nested)).toThrow(expect.objectContaining({ name: 'ArgumentRangeError', argument: 'nats' }));
  });

  test('a server that cannot be reached fails the source and reports it', async () => {
    const source = Stream.fromNats('x', { servers: 'nats://127.0.0.1:1', maxReconnectAttempts: 0 });
    const errors = source.errors.sinkToList();
    await expect(source.start()).rejects.toThrow();
    expect(source.state).toBe('failed');
    expect(errors).toHaveLength(1);
  });
});

describe('stream.toNats', () => {
  test('publishes each element; elements before the connection is up wait, in order; drain() flushes', async () => {
    const receiver = await openBus();
    const received: unknown[] = [];
    receiver.subscribe('out.values', (message) => received.push(message.data));
    await receiver.flush();
    const source = new Stream<unknown>();
    const sink = source.toNats('out.values', { servers: server.url });
    expect(String(sink)).toContain('out.values');
    for (const value of [1, 'two', { three: new Map([[3, 3n]]) }]) void source.emit(value);
    await source.drain();
    await waitFor(() => received.length === 3, 5000, 'three values');
    expect(received).toEqual([1, 'two', { three: new Map([[3, 3n]]) }]);
    source.emit(4);
    await source.drain();
    await waitFor(() => received.length === 4, 5000, 'the fourth value');
    sink.destroy();
  });

  test('publishes synchronously on a bus it is given', () => {
    const bus = new InProcessBus();
    const received: unknown[] = [];
    bus.subscribe('direct', (message) => received.push(message.data));
    const source = new Stream<number>();
    source.toNats('direct', { client: bus });
    return Promise.resolve().then(() => {
      expect(source.emit(1)).toBeUndefined();
      expect(received).toEqual([1]);
    });
  });

  test('a pipeline from one subject to another through a real server', async () => {
    const source = Stream.fromNats<number>('pipeline.in', { servers: server.url });
    const sink = source.map((x: number) => x * 10).toNats('pipeline.out', { servers: server.url });
    await source.start();
    const bus = await openBus();
    const results: unknown[] = [];
    bus.subscribe('pipeline.out', (message) => results.push(message.data));
    await bus.flush();
    for (let i = 1; i <= 3; i++) bus.publish('pipeline.in', i);
    await waitFor(() => results.length === 3, 5000, 'three results');
    expect(results).toEqual([10, 20, 30]);
    await source.stop();
    sink.destroy();
  });

  test('bad arguments are refused', () => {
    const source = new Stream<number>();
    expect(() => source.toNats('a.*', { client: new InProcessBus() })).toThrow(ArgumentTypeError);
    expect(() => source.toNats('a', {} as never)).toThrow(ArgumentTypeError);
  });
});
