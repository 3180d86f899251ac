import { Client, Stream, inspectClient, startClientDashboard, type DashboardState } from '../../src';
import { waitFor } from '../support/wait-for';

describe('inspecting a distributed client', () => {
  let client: Client;
  afterEach(async () => {
    await client.close();
  });

  test('workers and the task stream of an embedded client, read off its bus', async () => {
    client = new Client();
    const source = new Stream<number>({ name: 'numbers' });
    const results = source
      .scatter({ client })
      .map(async (x: number) => {
        if (x === 3) throw new Error('three');
        return x * 10;
      })
      .buffer(4)
      .gather()
      .sinkToList();
    source.errors.sink(() => undefined);
    const samples: DashboardState[] = [];
    const stop = inspectClient(client, { sample: (state) => samples.push(state) }, { interval: 10, pipelines: [source] });
    await client.whenReady();
    for (let i = 0; i < 6; i++) await Promise.resolve(source.emit(i)).catch(() => undefined);
    await source.drain();
    await waitFor(() => (samples.at(-1)?.tasks.length ?? 0) >= 6, 5000, 'six tasks');
    stop();
    const last = samples[samples.length - 1];
    expect(results).toEqual([0, 10, 20, 40, 50]);
    expect(last.tasks.map((t) => [t.seq, t.ok]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([0, 1, 2, 3, 4, 5].map((seq) => [seq, seq !== 3]));
    expect(new Set(last.tasks.map((t) => t.worker)).size).toBe(1);
    expect(last.workers).toEqual([expect.objectContaining({ id: last.tasks[0].worker, status: 'alive' })]);
    expect(last.errors).toEqual(expect.arrayContaining([expect.objectContaining({ element: '3', seq: 3, message: 'Error: three' })]));
    expect(last.graph.nodes.map((n) => n.label)).toContain('<numbers; Stream>');
  });

  test('without a pipelines option it finds every pipeline that uses the client, and only those', async () => {
    client = new Client();
    const other = new Client();
    const first = new Stream<number>({ name: 'first' });
    first.scatter({ client }).map((x: number) => x + 1).gather().sinkToList();
    const second = new Stream<number>({ name: 'second' });
    second.scatter({ client }).map((x: number) => x * 2).gather().sinkToList();
    const elsewhere = new Stream<number>({ name: 'elsewhere' });
    elsewhere.scatter({ client: other }).map((x: number) => x).gather().sinkToList();
    const local = new Stream<number>({ name: 'local' });
    local.sinkToList();
    const samples: DashboardState[] = [];
    const stop = inspectClient(client, { sample: (state) => samples.push(state) }, { interval: 10 });
    await waitFor(() => samples.length > 0, 5000, 'a sample');
    stop();
    await other.close();
    const ids = (samples.at(-1) as DashboardState).graph.nodes.map((node) => node.id).sort((a, b) => a - b);
    expect(ids).toEqual([...first.graph(), ...second.graph()].map((node) => node.id).sort((a, b) => a - b));
  });

  test('startClientDashboard serves the same model', async () => {
    client = new Client();
    const dashboard = await startClientDashboard(client, { port: 0 });
    try {
      await client.whenReady();
      await waitFor(() => dashboard.model.sample().workers.length === 1, 5000, 'the embedded worker');
      const response = await fetch(dashboard.url.replace('/status', '/api/state'));
      const state = (await response.json()) as DashboardState;
      expect(state.workers).toEqual([expect.objectContaining({ status: 'alive' })]);
    } finally {
      await dashboard.close();
    }
  });
});
