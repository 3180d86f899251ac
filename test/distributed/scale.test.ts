import { Client, Stream } from '../../src';
import { inc } from './fixtures/tasks';
import { TASKS_MODULE } from './support/deployments';

describe('local cluster', () => {
  test('scale(n) starts and drains worker threads; the pipeline keeps working', async () => {
    const client = new Client({ workers: 1, tasks: TASKS_MODULE, heartbeatInterval: 100 });
    await client.whenReady();
    expect(client.workers()).toHaveLength(1);
    await client.scale(3);
    expect(client.workers()).toHaveLength(3);
    const source = new Stream<number>();
    const out = source.scatter({ client }).map(inc).buffer(6).gather().sinkToList();
    for (let i = 0; i < 6; i++) await source.emit(i);
    await client.scale(1);
    await source.drain();
    expect(out).toEqual([1, 2, 3, 4, 5, 6]);
    expect(client.workers()).toHaveLength(1);
    await client.close();
    expect(client.workers()).toHaveLength(0);
  }, 30_000);

  test('scale() needs a local cluster; bad counts are rejected', async () => {
    const client = new Client();
    await expect(client.scale(2)).rejects.toThrow('scale() needs a local cluster');
    await expect(client.scale(0)).rejects.toThrow('n must be');
    await client.close();
    expect(() => new Client({ workers: 0, tasks: TASKS_MODULE })).toThrow('workers must be');
  });
});
