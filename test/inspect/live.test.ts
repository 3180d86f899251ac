import { Client, Stream } from '../../src';
import { startLiveDashboard } from '../../src/inspect/live';
import { waitFor } from '../support/wait-for';

describe('live dashboard', () => {
  test('draws pipelines and shows a client added after it started', async () => {
    const dashboard = await startLiveDashboard({ port: 0 });
    const client = new Client();
    try {
      expect(dashboard.model.sample().graph.nodes).toEqual([]);
      const source = new Stream<number>({ name: 'numbers' });
      const out = source.scatter({ client }).map((x: number) => x * 2).gather().sinkToList();
      dashboard.add(source);
      dashboard.add(source);
      dashboard.useClient(client);
      await client.whenReady();
      for (let i = 0; i < 3; i++) await source.emit(i);
      await source.drain();
      await waitFor(() => dashboard.model.sample().tasks.length === 3, 5000, 'three tasks');
      const state = dashboard.model.sample();
      expect(out).toEqual([0, 2, 4]);
      expect(state.graph.nodes[0]).toEqual(expect.objectContaining({ label: '<numbers; Stream>', out: 3 }));
      expect(state.workers).toEqual([expect.objectContaining({ status: 'alive' })]);
    } finally {
      await dashboard.close();
      await client.close();
    }
  });
});
