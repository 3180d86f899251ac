import { InProcessBus } from '../../src/transport/in-process-bus';
import { RequestTimeoutError, type Bus } from '../../src/transport/bus';
import { describeBusConformance } from './bus-conformance';

describeBusConformance('InProcessBus', async () => {
  const shared = new InProcessBus();
  const opened: Bus[] = [shared];
  return {
    peers: async (count) => Array.from({ length: count }, () => shared),
    fresh: async () => {
      const bus = new InProcessBus();
      opened.push(bus);
      return bus;
    },
    teardown: async () => {
      await Promise.all(opened.map((bus) => bus.close()));
    },
  };
});

describe('InProcessBus specifics', () => {
  test('dispatch is synchronous and hands over the same object (no serialization)', () => {
    const bus = new InProcessBus();
    const data = { big: new Array(10).fill(0) };
    const received: unknown[] = [];
    bus.subscribe('a.b', (message) => received.push(message.data));
    bus.publish('a.b', data);
    expect(received).toHaveLength(1);
    expect(received[0]).toBe(data);
  });

  test('a message published from a handler is delivered after the current one reached everyone', () => {
    const bus = new InProcessBus();
    const log: string[] = [];
    bus.subscribe('s', (message) => {
      log.push(`first:${String(message.data)}`);
      if (message.data === 1) bus.publish('s', 2);
    });
    bus.subscribe('s', (message) => log.push(`second:${String(message.data)}`));
    bus.publish('s', 1);
    expect(log).toEqual(['first:1', 'second:1', 'first:2', 'second:2']);
  });

  test('queue groups take turns (round robin) on a subject', () => {
    const bus = new InProcessBus();
    const log: string[] = [];
    for (const name of ['x', 'y', 'z']) bus.subscribe('jobs', () => log.push(name), { queue: 'q' });
    for (let i = 0; i < 6; i++) bus.publish('jobs', i);
    expect(log).toEqual(['x', 'y', 'z', 'x', 'y', 'z']);
  });

  test('turns in a queue group survive unrelated subscriptions', () => {
    const bus = new InProcessBus();
    const log: string[] = [];
    for (const name of ['x', 'y']) bus.subscribe('jobs', () => log.push(name), { queue: 'q' });
    bus.publish('jobs', 1);
    bus.subscribe('other', () => undefined);
    bus.publish('jobs', 2);
    expect(log).toEqual(['x', 'y']);
  });

  test('one queue group spans the patterns its members subscribed with, as in NATS', () => {
    const bus = new InProcessBus();
    const log: string[] = [];
    bus.subscribe('jobs.*', () => log.push('wild'), { queue: 'q' });
    bus.subscribe('jobs.a', () => log.push('exact'), { queue: 'q' });
    bus.publish('jobs.a', 1);
    bus.publish('jobs.a', 2);
    bus.publish('jobs.b', 3);
    expect(log).toEqual(['wild', 'exact', 'wild']);
  });

  test('a queue member that unsubscribes mid-dispatch gets nothing more', () => {
    const bus = new InProcessBus();
    const got: string[] = [];
    const first = bus.subscribe('jobs', () => got.push('first'), { queue: 'q' });
    bus.subscribe('jobs', () => {
      got.push('second');
      first.unsubscribe();
    }, { queue: 'q' });
    for (let i = 0; i < 4; i++) bus.publish('jobs', i);
    expect(got).toEqual(['first', 'second', 'second', 'second']);
  });

  test('request timeouts follow the injected clock (fake timers)', async () => {
    jest.useFakeTimers();
    try {
      const bus = new InProcessBus();
      bus.subscribe('slow', () => undefined);
      const short = bus.request('slow', 1, { timeout: 100 });
      const long = bus.request('slow', 2, { timeout: 1000 });
      const outcome: string[] = [];
      short.catch((e: unknown) => outcome.push(`short:${(e as Error).name}`));
      long.catch((e: unknown) => outcome.push(`long:${(e as Error).name}`));
      await jest.advanceTimersByTimeAsync(99);
      expect(outcome).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(outcome).toEqual(['short:RequestTimeoutError']);
      await jest.advanceTimersByTimeAsync(900);
      expect(outcome).toEqual(['short:RequestTimeoutError', 'long:RequestTimeoutError']);
      await expect(long).rejects.toBeInstanceOf(RequestTimeoutError);
    } finally {
      jest.useRealTimers();
    }
  });

  test('a late reply after the timeout is ignored', async () => {
    jest.useFakeTimers();
    try {
      const bus = new InProcessBus();
      let replyTo = '';
      bus.subscribe('later', (message) => {
        replyTo = message.reply ?? '';
      });
      const rejected = expect(bus.request('later', 1, { timeout: 10 })).rejects.toBeInstanceOf(RequestTimeoutError);
      await jest.advanceTimersByTimeAsync(10);
      await rejected;
      expect(() => bus.publish(replyTo, 'late')).not.toThrow();
    } finally {
      jest.useRealTimers();
    }
  });

  test('bad request timeouts are refused', () => {
    const bus = new InProcessBus();
    bus.subscribe('x', () => undefined);
    expect(() => bus.request('x', 1, { timeout: -1 })).toThrow(RangeError);
  });
});
