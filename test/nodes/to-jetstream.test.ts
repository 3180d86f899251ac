import { ArgumentRangeError, ArgumentTypeError, JetStreamPublishError, Stream } from '../../src';
import { InProcessBus } from '../../src/transport/in-process-bus';
import { readStream, storedCount, useJetStreamServer } from '../support/jetstream';

const fixture = useJetStreamServer();
const { cleanup, freshStream } = fixture;

interface Order {
  id: number;
  total: number;
}

describe('toNats(subject, { jetstream: true })', () => {
  test('emit resolves once the stream stored the element', async () => {
    const { name, subject } = await freshStream();
    const source = new Stream<Order>();
    const sink = source.toNats(subject, { client: fixture.bus, jetstream: true });
    cleanup(() => sink.destroy());
    await source.emit({ id: 1, total: 10 });
    expect(await storedCount(fixture.bus.connection, name)).toBe(1);
    await source.emit({ id: 2, total: 20 });
    expect(await readStream(fixture.bus.connection, name)).toEqual([
      { id: 1, total: 10 },
      { id: 2, total: 20 },
    ]);
    expect(sink.stored).toBe(2);
  });

  test('an element sent again with the same message id is stored once', async () => {
    const { name, subject } = await freshStream();
    const source = new Stream<Order>();
    const sink = source.toNats(subject, { client: fixture.bus, jetstream: true, msgId: (order) => `order-${order.id}` });
    cleanup(() => sink.destroy());
    await source.emit({ id: 7, total: 70 });
    await source.emit({ id: 8, total: 80 });
    await source.emit({ id: 7, total: 70 });
    expect(await readStream(fixture.bus.connection, name)).toEqual([
      { id: 7, total: 70 },
      { id: 8, total: 80 },
    ]);
    expect([sink.stored, sink.duplicates]).toEqual([2, 1]);
  });

  test('a second sink (a restarted process) with the same msgId function does not store elements again', async () => {
    const { name, subject } = await freshStream();
    for (let run = 0; run < 2; run++) {
      const source = new Stream<Order>();
      const sink = source.toNats(subject, { servers: fixture.server.url, jetstream: true, msgId: (order) => String(order.id) });
      for (const id of [1, 2, 3]) await source.emit({ id, total: id });
      sink.destroy();
    }
    expect((await readStream(fixture.bus.connection, name)).map((order) => (order as Order).id)).toEqual([1, 2, 3]);
  });

  test('without msgId, equal elements are distinct messages', async () => {
    const { name, subject } = await freshStream();
    const source = new Stream<string>();
    const sink = source.toNats(subject, { client: fixture.bus, jetstream: true });
    cleanup(() => sink.destroy());
    await source.emit('same');
    await source.emit('same');
    expect(await readStream(fixture.bus.connection, name)).toEqual(['same', 'same']);
  });

  test('elements emitted before its own connection is up are stored in order', async () => {
    const { name, subject } = await freshStream();
    const source = new Stream<number>();
    const sink = source.toNats(subject, { servers: fixture.server.url, jetstream: true });
    cleanup(() => sink.destroy());
    await Promise.all([1, 2, 3, 4].map((n) => source.emit(n)));
    expect(await readStream(fixture.bus.connection, name)).toEqual([1, 2, 3, 4]);
    await source.drain();
  });

  test('with no stream on the subject, emit rejects with a JetStreamPublishError (no-stream)', async () => {
    const source = new Stream<number>();
    const sink = source.toNats('nobody.stores.this', { client: fixture.bus, jetstream: true, timeout: 1_000 });
    cleanup(() => sink.destroy());
    const failure = await Promise.resolve(source.emit(1)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(JetStreamPublishError);
    expect(failure).toMatchObject({ subject: 'nobody.stores.this', reason: 'no-stream' });
  });

  test('a full stream rejects the emit with a JetStreamPublishError (rejected, with the server code)', async () => {
    const { subject } = await freshStream(1);
    const source = new Stream<number>();
    const sink = source.toNats(subject, { client: fixture.bus, jetstream: true });
    cleanup(() => sink.destroy());
    await source.emit(1);
    const failure = await Promise.resolve(source.emit(2)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(JetStreamPublishError);
    expect(failure).toMatchObject({ reason: 'rejected', code: expect.any(Number) });
    expect(String(failure)).toContain('maximum messages');
  });

  test('wrong options throw typed errors naming the option', () => {
    const source = new Stream<number>();
    const servers = fixture.server.url;
    expect(() => source.toNats('a.b', { servers, jetstream: 'yes' as unknown as true })).toThrow(ArgumentTypeError);
    expect(() => source.toNats('a.b', { servers, jetstream: true, msgId: 'id' as unknown as () => string })).toThrow(
      expect.objectContaining({ argument: 'msgId' }),
    );
    expect(() => source.toNats('a.b', { servers, jetstream: true, timeout: 0 })).toThrow(expect.objectContaining({ argument: 'timeout' }));
    expect(() => source.toNats('a.b', { servers, jetstream: true, credits: true } as never)).toThrow(ArgumentRangeError);
    expect(() => source.toNats('a.b', { client: new InProcessBus(), jetstream: true })).toThrow(expect.objectContaining({ argument: 'client' }));
    expect(() => source.toNats('a.*', { servers, jetstream: true })).toThrow(ArgumentTypeError);
  });

  test('a msgId function that returns no string rejects that element only', async () => {
    const { name, subject } = await freshStream();
    const source = new Stream<number>();
    const sink = source.toNats(subject, { client: fixture.bus, jetstream: true, msgId: (n) => (n === 2 ? '' : String(n)) });
    cleanup(() => sink.destroy());
    await source.emit(1);
    expect(() => source.emit(2)).toThrow(expect.objectContaining({ argument: 'msgId' }));
    await source.emit(3);
    expect(await readStream(fixture.bus.connection, name)).toEqual([1, 3]);
  });
});
