import { Client, Stream, Worker } from '../../src';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';
import { failOnThree, slowInc } from './fixtures/tasks';

/** Heartbeats far apart: whatever `client.workers()` says after the run came with the results. */
const HEARTBEAT_MS = 60_000;

describe('client.workers() after drain()', () => {
  let server: NatsServer | undefined;
  let workers: Worker[] = [];
  let client: Client | undefined;

  afterEach(async () => {
    await client?.close({ timeout: 5000 }).catch(() => undefined);
    await Promise.all(workers.map((worker) => worker.drain()));
    workers = [];
    await server?.stop();
  });

  test('adds up to the elements run and failed, with nothing in flight, between heartbeats', async () => {
    server = await NatsServer.start();
    client = new Client({ servers: server.url });
    await client.whenReady();
    // Started after the client: it hears their first heartbeat, the only one of the test.
    workers = await Promise.all([0, 1].map(() => new Worker({ servers: server!.url, concurrency: 4, heartbeatInterval: HEARTBEAT_MS }).start()));
    await waitFor(() => client!.workers().length === 2, 5000, 'both workers announced');
    const source = new Stream<number>();
    source.errors.sink(() => undefined);
    const out = source.scatter({ client }).map(slowInc).map(failOnThree).buffer(8).gather().sinkToList();
    for (let i = 0; i < 20; i++) await source.emit(i);
    await source.drain();
    expect(out).toHaveLength(19);
    const listed = client.workers();
    expect(listed).toHaveLength(2);
    expect(listed.reduce((sum, worker) => sum + worker.done, 0)).toBe(19);
    expect(listed.reduce((sum, worker) => sum + worker.failed, 0)).toBe(1);
    expect(listed.map((worker) => worker.inFlight)).toEqual([0, 0]);
  });
});
