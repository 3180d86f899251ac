import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { InProcessBus } from '../../src/transport/in-process-bus';
import { PortBus, relayPort } from '../../src/transport/port-bus';
import type { Bus } from '../../src/transport/bus';
import { describeBusConformance } from './bus-conformance';

/** Each peer is a PortBus whose port the main side relays to one shared InProcessBus. */
describeBusConformance(
  'PortBus',
  async () => {
    const main = new InProcessBus();
    const opened: Bus[] = [];
    const ports: MessagePort[] = [];
    const open = (): PortBus => {
      const { port1, port2 } = new MessageChannel();
      relayPort(main, port2);
      ports.push(port1, port2);
      const bus = new PortBus(port1);
      opened.push(bus);
      return bus;
    };
    return {
      peers: async (count) => Array.from({ length: count }, open),
      fresh: async () => open(),
      teardown: async () => {
        await Promise.all(opened.map((bus) => bus.close()));
        for (const port of ports) port.close();
        await main.close();
      },
    };
  },
  { noResponders: false },
);

describe('PortBus specifics', () => {
  test('flush and drain still resolve once the main bus closed', async () => {
    const main = new InProcessBus();
    const { port1, port2 } = new MessageChannel();
    relayPort(main, port2);
    const bus = new PortBus(port1);
    await main.close();
    await bus.flush();
    await bus.drain();
    expect(bus.status).toBe('closed');
    port1.close();
  });

  test('two buses in one thread get their own replies to requests with the same ids', async () => {
    const main = new InProcessBus();
    const channels = [new MessageChannel(), new MessageChannel()];
    for (const { port2 } of channels) relayPort(main, port2);
    const [first, second] = channels.map(({ port1 }) => new PortBus(port1));
    main.subscribe('echo', (message) => main.publish(message.reply!, message.data));
    try {
      await Promise.all([first.flush(), second.flush()]);
      // The first requests subscribe both inboxes; the next ones share an id.
      expect([await first.request('echo', 1), await second.request('echo', 2)]).toEqual([1, 2]);
      const crossing = [first.request('echo', 'first', { timeout: 500 }), second.request('echo', 'second', { timeout: 500 })];
      await expect(Promise.all(crossing)).resolves.toEqual(['first', 'second']);
    } finally {
      await Promise.all([first.close(), second.close(), main.close()]);
      for (const { port1 } of channels) port1.close();
    }
  });

  test('a request carries its headers to the responder', async () => {
    const main = new InProcessBus();
    const { port1, port2 } = new MessageChannel();
    relayPort(main, port2);
    const bus = new PortBus(port1);
    main.subscribe('ask', (message) => main.publish(message.reply!, message.headers));
    await bus.flush();
    await expect(bus.request('ask', 1, { headers: { who: 'thread' } })).resolves.toEqual({ who: 'thread' });
    await bus.close();
    await main.close();
    port1.close();
  });
});
