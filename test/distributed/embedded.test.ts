import { Client, Stream } from '../../src';
import { inc, slowInc } from './fixtures/tasks';

describe('embedded client', () => {
  let client: Client;
  beforeEach(() => {
    client = new Client();
  });
  afterEach(async () => {
    await client.close();
  });

  test('scatter map gather', async () => {
    const source = new Stream<number>();
    const out = source.scatter().map(inc).gather().sinkToList();
    for (let i = 0; i < 5; i++) await source.emit(i);
    await source.drain();
    expect(out).toEqual([1, 2, 3, 4, 5]);
  });

  test('buffer runs tasks concurrently', async () => {
    const source = new Stream<number>();
    const out = source.scatter().map(slowInc).buffer(8).gather().sinkToList();
    const start = Date.now();
    for (let i = 0; i < 8; i++) await source.emit(i);
    await source.drain();
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Date.now() - start).toBeLessThan(150);
  });
});
