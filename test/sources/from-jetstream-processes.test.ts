import type { ChildProcess } from 'node:child_process';
import { NatsBus } from '../../src/transport/nats-bus';
import { consumerInfo, createStream, publishAll, readStream, storedCount } from '../support/jetstream';
import { exited, startScript } from '../support/link-scenario';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';

const COUNT = 3_000;
/** The whole scenario (two process starts, a server restart) takes about 10 s alone on this machine, 25 s and more while other suites compile. */
const TIMEOUT = 27_000;

/** Counts of each id among `values` (`{ id }` objects). */
function idCounts(values: readonly unknown[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const value of values) {
    const id = (value as { id: number }).id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('a NATS-to-NATS pipeline: durable fromNats → map → JetStream toNats, in a real process', () => {
  let server: NatsServer | undefined;
  let bus: NatsBus | undefined;
  const children: ChildProcess[] = [];

  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL');
    await bus?.close();
    await server?.stop();
  });

  // Without the message id from the input, this stores up to `credits` (32) inputs twice: those the
  // killed process had published and not yet acknowledged.
  test('SIGKILLed mid-run and started again, then nats-server restarted with its store: the output holds each input exactly once', async () => {
    const deadline = Date.now() + TIMEOUT;
    const remaining = (): number => Math.max(1, deadline - Date.now());
    server = await NatsServer.start({ jetstream: true });
    bus = await NatsBus.connect({ servers: server.url, reconnectTimeWait: 100 });
    const connection = bus.connection;
    await createStream(connection, { name: 'ORDERS', subjects: ['orders.in'] });
    await createStream(connection, { name: 'BILLED', subjects: ['orders.billed'] });
    await publishAll(connection, 'orders.in', Array.from({ length: COUNT }, (_, id) => ({ id })));

    const start = async (): Promise<ChildProcess> => {
      let ready = false;
      const child = startScript('jetstream-pipeline-process.ts', [(server as NatsServer).url, 'orders.in', 'orders.billed'], (line) => {
        if (line === 'ready') ready = true;
      });
      children.push(child);
      await waitFor(() => ready, remaining(), 'the pipeline process to consume');
      return child;
    };
    let stored = 0;
    const refreshStored = async (): Promise<void> => {
      stored = await storedCount(connection, 'BILLED').catch(() => stored);
    };
    const first = await start();
    await waitFor(() => stored >= COUNT / 4, remaining(), 'a quarter of the output', refreshStored);
    first.kill('SIGKILL');
    await exited(first);
    const killedAt = stored;

    await start();
    await waitFor(() => stored >= COUNT / 2, remaining(), 'half of the output', refreshStored);
    await server.restart();
    const restartedAt = stored;

    await waitFor(() => stored >= COUNT, remaining(), 'the whole output', refreshStored);
    let input = await consumerInfo(connection, 'ORDERS', 'pipeline');
    const refreshInput = async (): Promise<void> => {
      input = await consumerInfo(connection, 'ORDERS', 'pipeline');
    };
    await waitFor(() => input.num_ack_pending === 0 && input.num_pending === 0, remaining(), 'every input acknowledged', refreshInput);
    const output = await readStream(connection, 'BILLED', remaining());
    const counts = idCounts(output);
    const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    const missing = Array.from({ length: COUNT }, (_, id) => id).filter((id) => !counts.has(id));
    expect({ stored: output.length, repeated, missing }).toEqual({ stored: COUNT, repeated: [], missing: [] });
    expect(output[0]).toEqual({ id: 0, doubled: 0 });
    expect(killedAt).toBeLessThan(COUNT);
    expect(restartedAt).toBeLessThan(COUNT);
    expect(input.ack_floor.stream_seq).toBe(COUNT);
  }, TIMEOUT + 3_000);
});
