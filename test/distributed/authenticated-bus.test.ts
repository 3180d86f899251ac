import { AuthenticatedBus } from '../../src/distributed/authenticated-bus';
import { MessageAuth, UnauthenticatedMessageError } from '../../src/distributed/message-auth';
import { InProcessBus } from '../../src/transport/in-process-bus';
import type { Message } from '../../src/transport/bus';

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
});
