import { connect } from '@nats-io/transport-node';
import { connectionOptions, NatsBus, type NatsBusOptions } from '../../src/transport/nats-bus';
import { BusClosedError, type Bus, type BusWarning } from '../../src/transport/bus';
import { Codec } from '../../src/transport/codec';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';
import { describeBusConformance } from './bus-conformance';

let server: NatsServer;

beforeAll(async () => {
  server = await NatsServer.start();
});

afterAll(async () => {
  await server?.stop();
});

describeBusConformance('NatsBus', async () => {
  const opened: Bus[] = [];
  const open = async (): Promise<Bus> => {
    const bus = await NatsBus.connect({ servers: server.url });
    opened.push(bus);
    return bus;
  };
  return {
    peers: async (count) => Promise.all(Array.from({ length: count }, open)),
    fresh: open,
    teardown: async () => {
      await Promise.all(opened.map((bus) => bus.close()));
    },
  };
});

describe('NatsBus over a real server', () => {
  const opened: NatsBus[] = [];
  const open = async (options: Partial<NatsBusOptions> = {}): Promise<NatsBus> => {
    const bus = await NatsBus.connect({ servers: server.url, ...options });
    opened.push(bus);
    return bus;
  };

  afterAll(async () => {
    await Promise.all(opened.map((bus) => bus.close()));
  });

  test('undecodable messages are counted by reason, warned about, and never reach a handler', async () => {
    const bus = await open();
    const raw = await connect({ servers: server.url });
    const received: unknown[] = [];
    const warnings: BusWarning[] = [];
    bus.onWarning((warning) => warnings.push(warning));
    bus.subscribe('raw.in', (message) => received.push(message.data));
    await bus.flush();
    raw.publish('raw.in', Uint8Array.from([0x01, 0x02]));
    raw.publish('raw.in', Uint8Array.from([0x92, 0x09, 0x01]));
    raw.publish('raw.in', Uint8Array.from([0x92, 0x01, 0xdc]));
    raw.publish('raw.in', new Codec().encode('fine'));
    await raw.flush();
    await waitFor(() => received.length === 1);
    expect(received).toEqual(['fine']);
    expect(bus.stats().rejected).toEqual({ malformed: 2, oversized: 0, 'too-deep': 0, 'unknown-version': 1 });
    expect(warnings.map((w) => w.kind)).toEqual(['rejected-message', 'rejected-message', 'rejected-message']);
    await raw.close();
  });

  test('oversized messages are rejected as oversized', async () => {
    const bus = await open({ limits: { maxPayload: 1000 } });
    const sender = await open();
    const received: unknown[] = [];
    bus.subscribe('big.in', (message) => received.push(message.data));
    await bus.flush();
    sender.publish('big.in', 'x'.repeat(2000));
    sender.publish('big.in', 'small');
    await waitFor(() => received.length === 1);
    expect(received).toEqual(['small']);
    expect(bus.stats().rejected.oversized).toBe(1);
  });

  test('a request the responder cannot decode is answered with a rejection, not a timeout', async () => {
    const responder = await open({ limits: { maxPayload: 1000 } });
    const requester = await open();
    responder.subscribe<string>('strict.echo', (message) => responder.publish(message.reply!, message.data));
    await responder.flush();
    expect(await requester.request('strict.echo', 'ok')).toBe('ok');
    await expect(requester.request('strict.echo', 'x'.repeat(2000), { timeout: 2000 })).rejects.toThrow(/rejected the request: oversized/);
  });

  test('user/password and token authentication are passed to the server', async () => {
    const withUser = await NatsServer.start({ user: 'alice', pass: 's3cret' });
    const withToken = await NatsServer.start({ token: 't0ken' });
    try {
      const userBus = await NatsBus.connect({ servers: withUser.url, user: 'alice', pass: 's3cret' });
      const tokenBus = await NatsBus.connect({ servers: withToken.url, token: 't0ken' });
      expect([userBus.status, tokenBus.status]).toEqual(['connected', 'connected']);
      await Promise.all([userBus.close(), tokenBus.close()]);
      await expect(NatsBus.connect({ servers: withUser.url, user: 'alice', pass: 'wrong', maxReconnectAttempts: 0 })).rejects.toThrow();
    } finally {
      await Promise.all([withUser.stop(), withToken.stop()]);
    }
  });

  test('connection options are passed through, ours first, then `connection`', () => {
    expect(connectionOptions({ servers: ['nats://a:1', 'nats://b:2'], user: 'u', pass: 'p', connection: { name: 'x', noEcho: true } })).toEqual({
      servers: ['nats://a:1', 'nats://b:2'],
      user: 'u',
      pass: 'p',
      name: 'x',
      noEcho: true,
      maxReconnectAttempts: -1,
    });
    expect(connectionOptions({ tls: { caFile: '/ca.pem' } }).tls).toEqual({ caFile: '/ca.pem' });
    expect(typeof connectionOptions({ nkeySeed: 'SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4' }).authenticator).toBe('function');
  });

  test('reconnects after a server restart with status events; publishes while down are reported', async () => {
    const restartable = await NatsServer.start();
    const reconnecting = { servers: restartable.url, reconnectTimeWait: 50, connection: { reconnectJitter: 0 } };
    const bus = await NatsBus.connect(reconnecting);
    const peer = await NatsBus.connect(reconnecting);
    try {
      const statuses: string[] = [];
      const warnings: string[] = [];
      bus.onStatus((event) => statuses.push(event.status));
      bus.onWarning((warning) => warnings.push(warning.kind));
      const received: unknown[] = [];
      peer.subscribe('after.restart', (message) => received.push(message.data));
      await peer.flush();

      await restartable.stop();
      await waitFor(() => bus.status !== 'connected', 5000, 'the bus to notice the disconnect');
      bus.publish('after.restart', 'while down');
      bus.publish('after.restart', 'while down too');
      expect(bus.stats().publishedWhileDisconnected).toBe(2);
      expect(warnings).toEqual(['published-while-disconnected']);

      await restartable.launch();
      await waitFor(() => bus.status === 'connected' && peer.status === 'connected', 10_000, 'both buses to reconnect');
      expect(statuses).toEqual(['disconnected', 'reconnecting', 'connected']);
      await peer.flush();
      bus.publish('after.restart', 'after');
      await waitFor(() => received.includes('after'), 5000, 'delivery after the reconnect');
      expect(bus.stats().publishedWhileDisconnected).toBe(2);
    } finally {
      await Promise.all([bus.close(), peer.close()]);
      await restartable.stop();
    }
  });

  test('a server that goes away for good ends in closed, and pending requests reject', async () => {
    const doomed = await NatsServer.start();
    const bus = await NatsBus.connect({ servers: doomed.url, maxReconnectAttempts: 1, reconnectTimeWait: 20 });
    const statuses: string[] = [];
    bus.onStatus((event) => statuses.push(event.status));
    bus.subscribe('never.answers', () => undefined);
    await bus.flush();
    const waiting = bus.request('never.answers', 1, { timeout: 30_000 });
    await doomed.kill();
    await expect(waiting).rejects.toBeInstanceOf(BusClosedError);
    await waitFor(() => bus.status === 'closed', 5000, 'the bus to close');
    expect(statuses[statuses.length - 1]).toBe('closed');
    expect(() => bus.publish('x', 1)).toThrow(BusClosedError);
  });
});
