import type { ChildProcess } from 'node:child_process';
import { exited, startScript } from '../support/link-scenario';
import { exactlyOnceVerdict, ORDERS_IN, ORDERS_OUT, startOrdersScenario, type OrdersScenario } from '../support/orders-scenario';
import { waitFor } from '../support/wait-for';

const COUNT = 3_000;
/** The whole scenario (two process starts, a server restart) takes about 10 s alone on this machine, 25 s and more while other suites compile. */
const TIMEOUT = 27_000;

describe('a NATS-to-NATS pipeline: durable fromNats → map → JetStream toNats, in a real process', () => {
  let scenario: OrdersScenario | undefined;
  const children: ChildProcess[] = [];

  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL');
    await scenario?.bus.close();
    await scenario?.server.stop();
  });

  // Without the message id from the input, this stores up to `credits` (32) inputs twice: those the
  // killed process had published and not yet acknowledged.
  test('SIGKILLed mid-run and started again, then nats-server restarted with its store: the output holds each input exactly once', async () => {
    const deadline = Date.now() + TIMEOUT;
    const remaining = (): number => Math.max(1, deadline - Date.now());
    const orders = await startOrdersScenario();
    scenario = orders;
    await orders.publishInputs(COUNT);

    const start = async (): Promise<ChildProcess> => {
      let ready = false;
      const child = startScript('jetstream-pipeline-process.ts', [orders.server.url, ORDERS_IN, ORDERS_OUT], (line) => {
        if (line === 'ready') ready = true;
      });
      children.push(child);
      await waitFor(() => ready, remaining(), 'the pipeline process to consume');
      return child;
    };
    const first = await start();
    await orders.reach(COUNT / 4, remaining(), 'a quarter of the output');
    first.kill('SIGKILL');
    await exited(first);
    const killedAt = orders.stored;

    await start();
    await orders.reach(COUNT / 2, remaining(), 'half of the output');
    await orders.server.restart();
    const restartedAt = orders.stored;

    await orders.reach(COUNT, remaining(), 'the whole output');
    const verdict = await exactlyOnceVerdict(orders.bus.connection, 'pipeline', COUNT, remaining());
    expect({ stored: verdict.stored, repeated: verdict.repeated, missing: verdict.missing }).toEqual({ stored: COUNT, repeated: [], missing: [] });
    expect(verdict.output[0]).toEqual({ id: 0, doubled: 0 });
    expect(killedAt).toBeLessThan(COUNT);
    expect(restartedAt).toBeLessThan(COUNT);
    expect(verdict.ackFloor).toBe(COUNT);
  }, TIMEOUT + 3_000);
});
