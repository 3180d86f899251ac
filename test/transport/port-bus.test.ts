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
