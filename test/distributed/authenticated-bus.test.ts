import { AuthenticatedBus } from '../../src/distributed/authenticated-bus';
import { MessageAuth, UnauthenticatedMessageError } from '../../src/distributed/message-auth';
import { InProcessBus } from '../../src/transport/in-process-bus';
import type { Message } from '../../src/transport/bus';
import { NatsBus } from '../../src/transport/nats-bus';
import { SEALED_FRAME_MARKER } from '../../src/transport/codec';
import { connect } from '@nats-io/transport-node';
import { NatsServer } from '../support/nats-server';

const SECRET = 'sixteen bytes at least, yes';

function cluster(): { wire: InProcessBus; a: AuthenticatedBus; b: AuthenticatedBus; raw: Message[] } {
  jest.spyOn(console, 'error').mockImplementation(() => {});
  const wire = new InProcessBus();
  const raw: Message[] = [];
  wire.subscribe('p.>', (message) => void raw.push(message));
  return { wire, a: new AuthenticatedBus(wire, new MessageAuth(SECRET, 'a', 'a')), b: new AuthenticatedBus(wire, new MessageAuth(SECRET, 'b', 'b')), raw };
}

afterEach(() => jest.restoreAllMocks());

describe('AuthenticatedBus', () => {
  test('two subscriptions of one bus that hear the same message both get it, once each; a replay reaches neither', () => {
    const { wire, a, b, raw } = cluster();
    const heard: string[] = [];
    b.subscribe('p.results.1', (message) => void heard.push(`exact ${String(message.data)}`));
    b.subscribe('p.results.*', (message) => void heard.push(`wildcard ${String(message.data)}`));
    a.publish('p.results.1', 'r1');
    wire.publish('p.results.1', raw[0].data);
    expect(heard).toEqual(['exact r1', 'wildcard r1']);
    expect(b.auth.refusals.replayed).toBe(2);
  });

  test('a queue membership that ends after one message hands its guard to the next one: a replay in between is refused', async () => {
    const { wire, a, b, raw } = cluster();
    const taken: unknown[] = [];
    const join = (): void => void b.subscribe('p.tasks.default', (message) => void taken.push(message.data), { queue: 'default', max: 1, onEnd: join });
    join();
    a.publish('p.tasks.default', 'batch 1');
    await new Promise((resolve) => setImmediate(resolve));
    wire.publish('p.tasks.default', raw[0].data);
    await new Promise((resolve) => setImmediate(resolve));
    a.publish('p.tasks.default', 'batch 2');
    expect(taken).toEqual(['batch 1', 'batch 2']);
    expect(b.auth.refusals.replayed).toBe(1);
  });

  test('a handler\'s reply is bound to its request: a recorded reply does not answer another request', async () => {
    const { wire, a, b } = cluster();
    const replies: Message[] = [];
    wire.subscribe('_INBOX.>', (message) => void replies.push(message));
    b.subscribe('p.control.ping.b', (message) => b.publish(message.reply as string, 'ready'));
    await expect(a.request('p.control.ping.b', null)).resolves.toBe('ready');
    const pending = a.request('p.control.ping.b', null, { timeout: 1000 });
    expect(replies.length).toBeGreaterThan(0);
    await expect(pending).resolves.toBe('ready');
    const c = new AuthenticatedBus(wire, new MessageAuth(SECRET, 'c', 'c'));
    c.subscribe('p.control.ping.c', (message) => wire.publish(message.reply as string, replies[0].data));
    await expect(a.request('p.control.ping.c', null)).rejects.toEqual(new UnauthenticatedMessageError('replayed'));
  });

  test('plain messages never reach a handler; a plain reply rejects the request', async () => {
    const { wire, a } = cluster();
    const heard: unknown[] = [];
    a.subscribe('p.workers.heartbeat', (message) => void heard.push(message.data));
    wire.publish('p.workers.heartbeat', { v: 1, id: 'ghost' });
    wire.subscribe('p.control.ping.x', (message) => wire.publish(message.reply as string, 'ready'));
    await expect(a.request('p.control.ping.x', null)).rejects.toThrow('refused an unauthenticated reply');
    expect(heard).toEqual([]);
    expect(a.auth.refusals.unauthenticated).toBe(2);
  });

  test('over NATS a sealed frame is the whole message (not wrapped in an envelope), requests and replies included', async () => {
    const server = await NatsServer.start();
    const buses = await Promise.all(['a', 'b'].map(async (id) => new AuthenticatedBus(await NatsBus.connect({ servers: server.url }), new MessageAuth(SECRET, id, id))));
    const spy = await connect({ servers: server.url });
    try {
      const [a, b] = buses;
      const onWire: Uint8Array[] = [];
      spy.subscribe('p.>', { callback: (_error, message) => void onWire.push(message.data) });
      spy.subscribe('_INBOX.>', { callback: (_error, message) => void onWire.push(message.data) });
      await spy.flush();
      const heard: unknown[] = [];
      b.subscribe('p.results.1', (message) => void heard.push(message.data));
      b.subscribe('p.control.ping.b', (message) => b.publish(message.reply as string, { phase: 'ready' }));
      await (b.inner as NatsBus).flush();
      a.publish('p.results.1', { v: 1, results: [1, 2, 3] });
      await expect(a.request('p.control.ping.b', null)).resolves.toEqual({ phase: 'ready' });
      await (a.inner as NatsBus).flush();
      await spy.flush();
      expect(heard).toEqual([{ v: 1, results: [1, 2, 3] }]);
      expect(onWire.length).toBe(3);
      for (const payload of onWire) expect(payload[0]).toBe(SEALED_FRAME_MARKER);
      expect(a.auth.refusals).toEqual({ unauthenticated: 0, altered: 0, stale: 0, replayed: 0 });
      expect(b.auth.refusals).toEqual({ unauthenticated: 0, altered: 0, stale: 0, replayed: 0 });
    } finally {
      await spy.close();
      await Promise.all(buses.map((bus) => bus.close()));
      await server.stop();
    }
  });
});
