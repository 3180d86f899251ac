/**
 * The one NATS connection-options type: checked where it is given, credentials inside server URLs,
 * a nested `nats: {...}` refused by every entry point, and the flat options logging in to a real
 * nats-server through NatsBus, Worker and fromNats/toNats.
 */
import { join } from 'node:path';
import { Client, Stream } from '../../src';
import { Worker } from '../../src/distributed/worker/worker';
import { ArgumentRangeError, ArgumentTypeError } from '../../src/errors';
import { NatsBus } from '../../src/transport/nats-bus';
import { connectionOptions, OptionFileError, type NatsConnectionOptions } from '../../src/transport/nats-options';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';

describe('connectionOptions', () => {
  test('credentials inside the URLs log in and are taken out of the URLs', () => {
    expect(connectionOptions({ servers: 'nats://alice:s%3Acret%40@127.0.0.1:4222' })).toMatchObject({ servers: ['nats://127.0.0.1:4222'], user: 'alice', pass: 's:cret@' });
    expect(connectionOptions({ servers: ['tls://t0k@a:1', 'tls://t0k@b:2'] })).toMatchObject({ servers: ['tls://a:1', 'tls://b:2'], token: 't0k' });
    expect(connectionOptions({ servers: ['nats://a:1', '127.0.0.1:2'] })).toEqual({ servers: ['nats://a:1', '127.0.0.1:2'], maxReconnectAttempts: -1 });
  });

  test('credentials given as options win over those in the URL', () => {
    const chosen = connectionOptions({ servers: 'nats://alice:pw@h:1', token: 'tok' });
    expect(chosen).toMatchObject({ servers: ['nats://h:1'], token: 'tok' });
    expect(chosen).not.toHaveProperty('user');
  });

  test('URLs carrying different credentials are refused, naming servers without the secrets', () => {
    const attempt = (): unknown => connectionOptions({ servers: ['nats://a:pw1@h:1', 'nats://a:pw2@h:2'] });
    expect(attempt).toThrow(ArgumentRangeError);
    expect(attempt).toThrow("servers must be URLs that carry the same credentials (or none), got [\"nats://h:1\",\"nats://h:2\"]");
  });

  test.each<[string, NatsConnectionOptions, string, typeof ArgumentTypeError | typeof ArgumentRangeError]>([
    ['servers', { servers: [] }, 'servers', ArgumentTypeError],
    ['servers', { servers: 4222 as never }, 'servers', ArgumentTypeError],
    ['token', { token: 42 as never }, 'token', ArgumentTypeError],
    ['user', { user: '' }, 'user', ArgumentTypeError],
    ['pass without user', { pass: 'pw' }, 'pass', ArgumentRangeError],
    ['tls', { tls: 'yes' as never }, 'tls', ArgumentTypeError],
    ['tls.caFile', { tls: { caFile: 1 as never } }, 'tls.caFile', ArgumentTypeError],
    ['tls.handshakeFirst', { tls: { handshakeFirst: 'yes' as never } }, 'tls.handshakeFirst', ArgumentTypeError],
    ['a tls misspelling', { tls: { cafile: 'x' } as never }, 'cafile', ArgumentRangeError],
    ['maxReconnectAttempts', { maxReconnectAttempts: -2 }, 'maxReconnectAttempts', ArgumentRangeError],
    ['reconnectTimeWait', { reconnectTimeWait: 0.5 }, 'reconnectTimeWait', ArgumentRangeError],
    ['connection', { connection: 'x' as never }, 'connection', ArgumentTypeError],
  ])('a wrong %s is a typed error naming it', (_case, options, argument, type) => {
    const attempt = (): unknown => connectionOptions(options);
    expect(attempt).toThrow(type);
    expect(attempt).toThrow(expect.objectContaining({ argument }));
  });

  test('a creds file that cannot be read names the option and the path', () => {
    const missing = join(__dirname, 'no-such.creds');
    const attempt = (): unknown => connectionOptions({ credsFile: missing });
    expect(attempt).toThrow(OptionFileError);
    expect(attempt).toThrow(`credsFile: cannot read ${missing} (ENOENT)`);
  });
});

describe('a nested nats object', () => {
  const nested = { servers: 'nats://127.0.0.1:1', nats: { token: 't' } } as never;
  const refusal = expect.objectContaining({ name: 'ArgumentRangeError', argument: 'nats', message: expect.stringContaining('flat') });

  test.each<[string, () => unknown]>([
    ['Client', () => new Client(nested)],
    ['Stream.fromNats', () => Stream.fromNats('a', nested)],
    ['stream.toNats', () => new Stream<number>().toNats('a', nested)],
  ])('is refused by %s, naming it', (_entry, create) => {
    expect(create).toThrow(refusal);
  });

  test.each<[string, () => Promise<unknown>]>([
    ['NatsBus.connect', () => NatsBus.connect(nested)],
    ['Worker.start', () => new Worker(nested).start()],
  ])('is refused by %s, naming it', async (_entry, start) => {
    await expect(start()).rejects.toThrow(refusal);
  });
});

describe('the flat options against a nats-server requiring a token', () => {
  const TOKEN = 't0ken-42';
  let server: NatsServer;

  beforeAll(async () => {
    server = await NatsServer.start({ token: TOKEN });
  });

  afterAll(() => server.stop());

  test('NatsBus logs in with the token inside the URL; the wrong one names the server without the token', async () => {
    const bus = await NatsBus.connect({ servers: `nats://${TOKEN}@127.0.0.1:${server.port}` });
    expect(bus.status).toBe('connected');
    await bus.close();
    const refused = NatsBus.connect({ servers: `nats://wrong@127.0.0.1:${server.port}`, maxReconnectAttempts: 0 });
    await expect(refused).rejects.toThrow(`cannot connect to NATS at ${server.url}: AuthorizationError: Authorization Violation`);
  });

  test('a Worker logs in with `token`', async () => {
    const worker = new Worker({ servers: server.url, token: TOKEN, heartbeatInterval: 100 });
    await worker.start();
    expect(worker.state).not.toBe('stopped');
    await worker.drain();
  });

  test('toNats and fromNats log in with `token` beside their other options', async () => {
    const source = Stream.fromNats<number>('login.values', { servers: server.url, token: TOKEN, name: 'login-in' });
    const received = source.sinkToList();
    await source.start();
    const upstream = new Stream<number>();
    const sink = upstream.toNats('login.values', { servers: server.url, token: TOKEN });
    for (const x of [1, 2, 3]) void upstream.emit(x);
    await upstream.drain();
    await waitFor(() => received.length === 3, 5000, 'three messages');
    expect(received).toEqual([1, 2, 3]);
    sink.destroy();
    await source.stop();
  });
});
