/**
 * Security at the transport level against real nats-servers: authentication and TLS options reach
 * the server and wrong ones fail fast with an error naming the problem, clusters under different
 * subject prefixes stay apart, and payload limits are enforced on both ends.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, errors as natsErrors, nkeys } from '@nats-io/transport-node';
import { NatsBus, REJECTED_HEADER, TlsConnectionError, type NatsBusOptions } from '../../src/transport/nats-bus';
import { EncodeError } from '../../src/transport/codec';
import { Subjects } from '../../src/distributed/subjects';
import { ArgumentRangeError, ArgumentTypeError } from '../../src/errors';
import type { Message } from '../../src/transport/bus';
import { freePort } from '../support/free-port';
import { NatsServer } from '../support/nats-server';
import { natsServerConfigArgs } from '../support/nats-server-config';
import { generateTlsCertificates, type TlsCertificates } from '../support/tls-certificates';
import { waitFor } from '../support/wait-for';

/** How long a refused connection may take to fail: refusals come back in milliseconds. */
const REFUSAL_BOUND_MS = 3000;

let tempDir: string;
const servers: NatsServer[] = [];
const buses: NatsBus[] = [];

beforeAll(() => {
  tempDir = mkdtempSync(join(tmpdir(), 'rivulet-security-'));
});

afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
  await Promise.all(servers.map((server) => server.stop()));
  rmSync(tempDir, { recursive: true, force: true });
});

async function startServer(options: Parameters<typeof NatsServer.start>[0]): Promise<NatsServer> {
  const server = await NatsServer.start(options);
  servers.push(server);
  return server;
}

async function openBus(options: NatsBusOptions): Promise<NatsBus> {
  const bus = await NatsBus.connect(options);
  buses.push(bus);
  return bus;
}

let exchangeCount = 0;

/** Publish/subscribe and request/reply between two buses work end to end (on subjects under `root`). */
async function expectExchange(sender: NatsBus, receiver: NatsBus, root = 'secure'): Promise<void> {
  const subject = `${root}.exchange.${++exchangeCount}`;
  const received: unknown[] = [];
  receiver.subscribe(subject, (message) => received.push(message.data));
  receiver.subscribe(`${subject}.echo`, (message) => receiver.publish(message.reply!, { echoed: message.data }));
  await receiver.flush();
  sender.publish(subject, { hello: 'world' });
  await waitFor(() => received.length === 1, 5000, 'the published message');
  expect(received).toEqual([{ hello: 'world' }]);
  await expect(sender.request(`${subject}.echo`, [1, 2, 3], { timeout: 2000 })).resolves.toEqual({ echoed: [1, 2, 3] });
}

type ConnectFailure = Error & { code?: string };

/** The innermost `cause`: what nats.js or Node reported, however NatsBus wraps it. */
function rootCause(error: ConnectFailure): ConnectFailure {
  let inner = error;
  for (let depth = 0; depth < 10 && typeof inner.cause === 'object' && inner.cause !== null; depth++) inner = inner.cause as ConnectFailure;
  return inner;
}

/** The error `attempt` rejects with; fails the test if it resolves or takes longer than `bound` ms. */
async function refusal(attempt: Promise<NatsBus>, bound = REFUSAL_BOUND_MS): Promise<ConnectFailure> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), bound);
  });
  try {
    const outcome = await Promise.race([attempt.then((bus) => ({ bus }), (error: unknown) => ({ error })), hung]);
    if (outcome === 'hung') throw new Error(`the connection attempt neither failed nor succeeded within ${bound} ms`);
    if ('bus' in outcome) {
      await outcome.bus.close();
      throw new Error('the connection attempt succeeded but should have been refused');
    }
    // Not `toBeInstanceOf(Error)`: Node's TLS errors come from another realm than jest's.
    expect(Object.prototype.toString.call(outcome.error)).toBe('[object Error]');
    return outcome.error as ConnectFailure;
  } finally {
    clearTimeout(timer);
  }
}

describe('authentication', () => {
  let withUser: NatsServer;
  let withToken: NatsServer;

  beforeAll(async () => {
    [withUser, withToken] = await Promise.all([startServer({ user: 'alice', pass: 's3cret' }), startServer({ token: 't0ken-42' })]);
  });

  test('the right user and password connect, and pub/sub and request/reply work', async () => {
    const options = { servers: withUser.url, user: 'alice', pass: 's3cret' };
    await expectExchange(await openBus(options), await openBus(options));
  });

  test('the right token connects, and pub/sub and request/reply work', async () => {
    const options = { servers: withToken.url, token: 't0ken-42' };
    await expectExchange(await openBus(options), await openBus(options));
  });

  test.each([
    ['a wrong password', (): NatsBusOptions => ({ servers: withUser.url, user: 'alice', pass: 'wrong' })],
    ['an unknown user', (): NatsBusOptions => ({ servers: withUser.url, user: 'mallory', pass: 's3cret' })],
    ['no credentials', (): NatsBusOptions => ({ servers: withUser.url })],
    ['a wrong token', (): NatsBusOptions => ({ servers: withToken.url, token: 'wrong' })],
    ['a token where a user is required', (): NatsBusOptions => ({ servers: withUser.url, token: 's3cret' })],
  ])('%s is refused at once with an AuthorizationError', async (_case, options) => {
    const error = await refusal(NatsBus.connect({ ...options(), maxReconnectAttempts: 0 }));
    expect(rootCause(error)).toBeInstanceOf(natsErrors.AuthorizationError);
    expect(error.message).toMatch(/authorization violation/i);
  });

  test('an nkey user connects with its seed; another seed is refused', async () => {
    const user = nkeys.createUser();
    const seed = new TextDecoder().decode(user.getSeed());
    const withNkey = await startServer({
      args: natsServerConfigArgs(join(tempDir, 'nkey.conf'), { authorization: { users: [{ nkey: user.getPublicKey() }] } }),
    });
    await expectExchange(await openBus({ servers: withNkey.url, nkeySeed: seed }), await openBus({ servers: withNkey.url, nkeySeed: seed }));
    const stranger = new TextDecoder().decode(nkeys.createUser().getSeed());
    const error = await refusal(NatsBus.connect({ servers: withNkey.url, nkeySeed: stranger, maxReconnectAttempts: 0 }));
    expect(rootCause(error)).toBeInstanceOf(natsErrors.AuthorizationError);
  });

  test('refused clients leave the server working for the right ones', async () => {
    await Promise.all(Array.from({ length: 5 }, () => refusal(NatsBus.connect({ servers: withToken.url, token: 'guess' }))));
    const options = { servers: withToken.url, token: 't0ken-42' };
    await expectExchange(await openBus(options), await openBus(options));
  });
});

describe('unreachable servers', () => {
  test('a closed port is refused at once', async () => {
    const error = await refusal(NatsBus.connect({ servers: `nats://127.0.0.1:${await freePort()}`, maxReconnectAttempts: 0 }));
    expect(rootCause(error).code).toBe('ECONNREFUSED');
  });

  test('a server that accepts but never speaks NATS fails at the connect timeout', async () => {
    const accepted: Socket[] = [];
    const silent = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const error = await refusal(NatsBus.connect({ servers: `nats://127.0.0.1:${port}`, maxReconnectAttempts: 0, connection: { timeout: 500 } }));
      expect(rootCause(error)).toBeInstanceOf(natsErrors.TimeoutError);
    } finally {
      // nats.js 3.4 leaves its socket open after a connect timeout (cf. nats-io/nats.js#64).
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('TLS', () => {
  let certificates: TlsCertificates;
  let tlsServer: NatsServer;
  let mutualTlsServer: NatsServer;

  beforeAll(async () => {
    certificates = generateTlsCertificates(tempDir);
    const serverCertificate = ['--tlscert', certificates.server.certFile, '--tlskey', certificates.server.keyFile];
    [tlsServer, mutualTlsServer] = await Promise.all([
      startServer({ args: ['--tls', ...serverCertificate] }),
      startServer({ args: ['--tlsverify', ...serverCertificate, '--tlscacert', certificates.ca.certFile] }),
    ]);
  });

  test('a client trusting the CA connects over TLS, and pub/sub and request/reply work', async () => {
    const options = { servers: tlsServer.url, tls: { caFile: certificates.ca.certFile } };
    const sender = await openBus(options);
    expect(sender.connection.info?.tls_required).toBe(true);
    await expectExchange(sender, await openBus(options));
  });

  test('the CA can be given as PEM text, and the server name localhost verifies too', async () => {
    const options = { servers: `nats://localhost:${tlsServer.port}`, tls: { ca: readFileSync(certificates.ca.certFile, 'utf8') } };
    await expectExchange(await openBus(options), await openBus(options));
  });

  test.each([
    ['trusting another CA', (): NatsBusOptions['tls'] => ({ caFile: certificates.untrustedCa.certFile })],
    ['trusting only the system CAs', (): NatsBusOptions['tls'] => ({})],
  ])('a client %s is refused during the handshake, fast, with the certificate error', async (_case, tls) => {
    const error = await refusal(NatsBus.connect({ servers: tlsServer.url, tls: tls(), maxReconnectAttempts: 0 }));
    expect(rootCause(error).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(error.message).toMatch(/unable to verify the first certificate/);
  });

  test('a TLS refusal is a typed error whose message says TLS and names the server', async () => {
    const error = await refusal(NatsBus.connect({ servers: tlsServer.url, tls: { caFile: certificates.untrustedCa.certFile } }));
    expect(error).toBeInstanceOf(TlsConnectionError);
    expect(error).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', servers: [tlsServer.url] });
    // Node.js 24 appends its own hint ("; if the root CA is installed locally, try … --use-system-ca").
    expect(error.message).toMatch(`TLS handshake with ${tlsServer.url} failed: unable to verify the first certificate`);
  });

  test('a client that requires TLS is refused by a server without it', async () => {
    const plain = await startServer({});
    const error = await refusal(NatsBus.connect({ servers: plain.url, tls: { caFile: certificates.ca.certFile } }));
    expect(rootCause(error)).toBeInstanceOf(natsErrors.ConnectionError);
    expect(error.message).toMatch(/server does not support 'tls'/);
  });

  test('mutual TLS: a client certificate signed by the CA connects, and pub/sub and request/reply work', async () => {
    const { ca, client } = certificates;
    const options = { servers: mutualTlsServer.url, tls: { caFile: ca.certFile, certFile: client.certFile, keyFile: client.keyFile } };
    await expectExchange(await openBus(options), await openBus(options));
  });

  // nats.js does not report the server's "certificate required" alert: the attempt only ends at
  // the connect timeout (20 s by default), so a bounded one is set here.
  test.each([
    ['no client certificate', (): NatsBusOptions['tls'] => ({ caFile: certificates.ca.certFile })],
    ['a certificate from another CA', (): NatsBusOptions['tls'] => ({
      caFile: certificates.ca.certFile, certFile: certificates.untrustedCa.certFile, keyFile: certificates.untrustedCa.keyFile,
    })],
  ])('mutual TLS: a client with %s is refused within the connect timeout', async (_case, tls) => {
    const error = await refusal(NatsBus.connect({ servers: mutualTlsServer.url, tls: tls(), maxReconnectAttempts: 0, connection: { timeout: 1000 } }));
    expect(rootCause(error)).toBeInstanceOf(natsErrors.TimeoutError);
  });
});

describe('subject prefixes', () => {
  let server: NatsServer;

  beforeAll(async () => {
    server = await startServer({});
  });

  /** Every subject the distributed protocol uses under one prefix. */
  function protocolSubjects(subjects: Subjects): string[] {
    return [
      subjects.tasks,
      subjects.capacity,
      subjects.ping('worker-1'),
      subjects.results('pipeline-1'),
      subjects.credit('pipeline-1'),
      subjects.drainWorker('worker-1'),
      subjects.heartbeat,
    ];
  }

  test('two clusters under different prefixes on one server never see each other\'s messages', async () => {
    // 'rivulet' is a string prefix of 'rivulet-staging': subjects match by whole tokens, so it does not leak.
    const clusters = [new Subjects('rivulet'), new Subjects('rivulet-staging')];
    const [first, second] = await Promise.all(clusters.map(() => openBus({ servers: server.url })));
    const seen = new Map<NatsBus, Message[]>([[first, []], [second, []]]);
    for (const [bus, subjects] of [[first, clusters[0]], [second, clusters[1]]] as const) {
      const received = seen.get(bus)!;
      bus.subscribe(`${subjects.prefix}.>`, (message) => received.push(message));
      for (const subject of protocolSubjects(subjects)) bus.subscribe(subject, (message) => received.push(message));
      const answer = (message: Message): void => {
        if (message.reply !== undefined) bus.publish(message.reply, 'done');
      };
      bus.subscribe(subjects.tasks, answer, { queue: subjects.pool });
    }
    await Promise.all([first.flush(), second.flush()]);

    for (const [bus, subjects] of [[first, clusters[0]], [second, clusters[1]]] as const) {
      for (const subject of protocolSubjects(subjects)) bus.publish(subject, `${subjects.prefix} only`);
      await expect(bus.request(subjects.tasks, `${subjects.prefix} only`, { timeout: 2000 })).resolves.toBe('done');
    }
    // Each published message reaches its own cluster twice (wildcard and exact subscription).
    const expected = protocolSubjects(clusters[0]).length * 2 + 2;
    await waitFor(() => seen.get(first)!.length === expected && seen.get(second)!.length === expected, 5000, 'every message');

    for (const [bus, subjects] of [[first, clusters[0]], [second, clusters[1]]] as const) {
      const received = seen.get(bus)!;
      expect(received.every((message) => message.subject.startsWith(`${subjects.prefix}.`))).toBe(true);
      expect(new Set(received.map((message) => message.data))).toEqual(new Set([`${subjects.prefix} only`]));
    }
  });

  describe('with a NATS user per cluster, allowed only its own prefix', () => {
    let guarded: NatsServer;
    const ownPrefix = (prefix: string): string[] => [`${prefix}.>`, '_INBOX.>'];
    const user = (name: string): object => ({ user: name, password: `${name}-pass`, permissions: { publish: ownPrefix(name), subscribe: ownPrefix(name) } });

    beforeAll(async () => {
      guarded = await startServer({ args: natsServerConfigArgs(join(tempDir, 'permissions.conf'), { authorization: { users: [user('alpha'), user('beta')] } }) });
    });

    const openAs = (name: string): Promise<NatsBus> => openBus({ servers: guarded.url, user: name, pass: `${name}-pass` });

    test('the server keeps each cluster out of the other\'s subjects; the bus stays connected', async () => {
      const [alpha, beta] = await Promise.all([openAs('alpha'), openAs('beta')]);
      const intercepted: unknown[] = [];
      alpha.subscribe('beta.>', (message) => intercepted.push(message.data));
      beta.subscribe('beta.echo', (message) => beta.publish(message.reply!, message.data));
      const betaSees: unknown[] = [];
      beta.subscribe('beta.in', (message) => betaSees.push(message.data));
      await Promise.all([alpha.flush(), beta.flush()]);
      beta.publish('beta.secret', 'secret');
      alpha.publish('beta.in', 'intrusion');
      await expect(alpha.request('beta.echo', 'intrusion', { timeout: 300 })).rejects.toThrow(/no reply within 300 ms/);
      beta.publish('beta.in', 'own');
      await waitFor(() => betaSees.length === 1, 5000, 'beta\'s own message');
      expect(betaSees).toEqual(['own']);
      expect(intercepted).toEqual([]);
      expect(alpha.status).toBe('connected');
      await expectExchange(alpha, await openAs('alpha'), 'alpha');
    });

    test('a permissions violation is reported as a warning naming the subject', async () => {
      const alpha = await openAs('alpha');
      const warnings: string[] = [];
      alpha.onWarning((warning) => warnings.push(warning.detail));
      alpha.subscribe('beta.secret', () => undefined);
      alpha.publish('beta.in', 'intrusion');
      await alpha.flush();
      await waitFor(() => warnings.length >= 2, 1000, 'both violations to be reported');
      expect(warnings.join('\n')).toMatch(/Permissions Violation for Subscription to "beta.secret"/);
      expect(warnings.join('\n')).toMatch(/Permissions Violation for Publish to "beta.in"/);
    });
  });

  test('request replies go to a per-bus inbox outside every prefix', async () => {
    const responder = await openBus({ servers: server.url });
    const requester = await openBus({ servers: server.url });
    const replies: string[] = [];
    responder.subscribe('rivulet.secure.echo', (message) => {
      replies.push(message.reply!);
      responder.publish(message.reply!, message.data);
    });
    await responder.flush();
    await requester.request('rivulet.secure.echo', 1);
    expect(replies[0]).toMatch(/^_INBOX\./);
    expect(replies[0].startsWith('rivulet.')).toBe(false);
  });

  // A wildcard prefix or pool would turn a subscription such as `<prefix>.workers.heartbeat` into
  // one that hears every cluster on the server.
  test.each(['*', '>', 'team.*', 'team.>', 'a b', '', '.rivulet', 'rivulet.', 'a..b', 'tab\there', 'nul\u0000'])('Subjects refuses the prefix %j', (prefix) => {
    expect(() => new Subjects(prefix)).toThrow(ArgumentRangeError);
    expect(() => new Subjects(prefix)).toThrow(/^prefix must be literal NATS tokens/);
  });

  test.each(['*', '>', 'a.b', '', 'a b'])('Subjects refuses the pool %j', (pool) => {
    expect(() => new Subjects('rivulet', pool)).toThrow(ArgumentRangeError);
    expect(() => new Subjects('rivulet', pool)).toThrow(/^pool must be one literal NATS token/);
  });

  test('Subjects refuses a prefix or pool that is not a string', () => {
    expect(() => new Subjects(42 as unknown as string)).toThrow(ArgumentTypeError);
    expect(() => new Subjects('rivulet', null as unknown as string)).toThrow(/^pool must be a string/);
  });

  test('Subjects takes dotted literal prefixes and any literal token as pool', () => {
    const subjects = new Subjects('team-a.rivulet_2', 'gpu-pool');
    expect(subjects.tasks).toBe('team-a.rivulet_2.tasks.gpu-pool');
    expect(subjects.capacity).toBe('team-a.rivulet_2.credit.pool.gpu-pool');
    expect(subjects.heartbeat).toBe('team-a.rivulet_2.workers.heartbeat');
    expect(new Subjects().prefix).toBe('rivulet');
    expect(new Subjects('ünïcode').prefix).toBe('ünïcode');
  });
});

describe('payload limits', () => {
  let server: NatsServer;
  let smallServer: NatsServer;
  const SERVER_MAX_PAYLOAD = 4096;

  beforeAll(async () => {
    [server, smallServer] = await Promise.all([
      startServer({}),
      startServer({ args: natsServerConfigArgs(join(tempDir, 'small.conf'), { max_payload: SERVER_MAX_PAYLOAD }) }),
    ]);
  });

  test('a bus with a small maxPayload refuses an oversized publish with an EncodeError naming the limit', async () => {
    const bus = await openBus({ servers: server.url, limits: { maxPayload: 1000 } });
    expect(() => bus.publish('limits.out', 'x'.repeat(2000))).toThrow(EncodeError);
    expect(() => bus.publish('limits.out', 'x'.repeat(2000))).toThrow(/over the 1000 byte limit/);
    await expect(bus.request('limits.out', 'x'.repeat(2000), { timeout: 1000 })).rejects.toThrow(/over the 1000 byte limit/);
    expect(() => bus.publish('limits.out', 'x'.repeat(900))).not.toThrow();
  });

  test('a receiving bus refuses an oversized message: counted, warned about, answered, never handled', async () => {
    const receiver = await openBus({ servers: server.url, limits: { maxPayload: 1000 } });
    const warnings: string[] = [];
    receiver.onWarning((warning) => warnings.push(warning.detail));
    const handled: unknown[] = [];
    receiver.subscribe('limits.in', (message) => handled.push(message.data));
    await receiver.flush();
    const raw = await connect({ servers: server.url });
    try {
      const answer = raw.request('limits.in', new Uint8Array(5000), { timeout: 2000 });
      await expect(answer.then((msg) => msg.headers?.get(REJECTED_HEADER))).resolves.toBe('oversized: message is 5000 bytes, over the 1000 byte limit');
      const sender = await openBus({ servers: server.url });
      sender.publish('limits.in', 'fits');
      await waitFor(() => handled.length === 1, 5000, 'the message that fits');
      expect(handled).toEqual(['fits']);
      expect(receiver.stats().rejected.oversized).toBe(1);
      expect(warnings).toEqual(['limits.in: message is 5000 bytes, over the 1000 byte limit']);
    } finally {
      await raw.close();
    }
  });

  test('a publish over the server\'s max_payload is refused before it is sent, with an EncodeError naming the limit', async () => {
    const bus = await openBus({ servers: smallServer.url });
    expect(bus.connection.info?.max_payload).toBe(SERVER_MAX_PAYLOAD);
    expect(() => bus.publish('limits.server', 'x'.repeat(SERVER_MAX_PAYLOAD))).toThrow(EncodeError);
    expect(() => bus.publish('limits.server', 'x'.repeat(SERVER_MAX_PAYLOAD))).toThrow(`over the server's ${SERVER_MAX_PAYLOAD} byte max_payload`);
    await expect(bus.request('limits.server', 'x'.repeat(SERVER_MAX_PAYLOAD), { timeout: 1000 })).rejects.toThrow(EncodeError);
    expect(bus.stats().published).toBe(0);
    await expectExchange(bus, await openBus({ servers: smallServer.url }));
  });
});
