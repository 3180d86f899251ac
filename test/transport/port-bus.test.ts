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
