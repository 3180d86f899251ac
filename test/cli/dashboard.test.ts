import { runDashboard } from '../../src/cli/dashboard';
import { parseDashboardArgs } from '../../src/cli/dashboard-args';
import type { Dashboard, DashboardState } from '../../src';
import { NatsBus } from '../../src/transport/nats-bus';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';

/** A long interval: only the explicit `stopped` phase may make a worker gone, however slow the machine. */
function heartbeat(id: string, done: number, phase = 'ready'): Record<string, unknown> {
  return { v: 1, id, pool: 'default', capacity: 2, inFlight: 1, done, failed: 0, phase, interval: 60_000 };
}

describe('rivulet dashboard', () => {
  test('parses its options', () => {
    expect(parseDashboardArgs([], {})).toEqual({ prefix: 'rivulet', port: 8787, host: '127.0.0.1' });
    expect(parseDashboardArgs(['--servers', 'nats://127.0.0.1:4333', '--port', '0', '--prefix', 'x'], {})).toEqual({ servers: ['nats://127.0.0.1:4333'], prefix: 'x', port: 0, host: '127.0.0.1' });
    expect(() => parseDashboardArgs(['--port', 'eighty'])).toThrow(/--port/);
    expect(() => parseDashboardArgs(['--nope'])).toThrow();
  });

  describe('attached to NATS', () => {
    let server: NatsServer;
    let publisher: NatsBus;
    let dashboard: Dashboard | undefined;

    beforeAll(async () => {
      server = await NatsServer.start();
      publisher = await NatsBus.connect({ servers: server.url });
    });

    afterAll(async () => {
      await dashboard?.close();
      await publisher.close();
      await server.stop();
    });

    test('shows workers from their heartbeats, and a stopped one as gone', async () => {
      const lines: string[] = [];
      dashboard = await runDashboard(parseDashboardArgs(['--servers', server.url, '--port', '0']), (line) => lines.push(line));
      expect(lines).toEqual([expect.stringContaining(dashboard.url)]);
      const model = dashboard.model;
      const workers = (): DashboardState['workers'] => model.sample().workers;
      publisher.publish('rivulet.workers.heartbeat', heartbeat('w1', 3));
      publisher.publish('rivulet.workers.heartbeat', heartbeat('w2', 4));
      publisher.publish('other.workers.heartbeat', heartbeat('w3', 4));
      await publisher.flush();
      await waitFor(() => workers().length === 2, 5000, 'two workers');
      publisher.publish('rivulet.workers.heartbeat', heartbeat('w2', 5, 'stopped'));
      await publisher.flush();
      await waitFor(() => workers().find((w) => w.id === 'w2')?.status === 'gone', 5000, 'w2 gone');
      expect(workers().map((w) => [w.id, w.status, w.done])).toEqual([
        ['w1', 'alive', 3],
        ['w2', 'gone', 4],
      ]);
      // Counts are per run: tasks finished since the dashboard first saw each worker, not lifetime totals.
      publisher.publish('rivulet.workers.heartbeat', heartbeat('w1', 6));
      await publisher.flush();
      await waitFor(() => workers().find((w) => w.id === 'w1')?.done === 6, 5000, 'w1 done 6');
      expect(model.sample().progress).toEqual({ emitted: 4, inFlight: 1, done: 3, failed: 0 });
    });
  });
});
