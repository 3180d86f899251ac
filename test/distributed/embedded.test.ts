import { Client, Stream } from '../../src';
import type { GatherNode } from '../../src/distributed/gather-node';
import { waitFor } from '../support/wait-for';
import { double, inc, linger, overlap, overlappingInc, total } from './fixtures/tasks';

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
    const out = source.scatter().map(overlappingInc).buffer(8).gather().sinkToList();
    for (let i = 0; i < 8; i++) await source.emit(i);
    await source.drain();
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(overlap.peak).toBe(8);
  });
});

describe('embedded client: leases and operators that keep a stream distributed', () => {
  test('a task whose lease ran out is sent again; the late duplicate is dropped', async () => {
    const client = new Client({ lease: 50 });
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(linger).gather() as GatherNode<number>;
    const out = gathered.sinkToList();
    await source.emit(5);
    await source.drain();
    expect(out).toEqual([5]);
    await waitFor(() => gathered.segment.duplicates >= 1, 2000, 'the first attempt to answer late');
    await client.close();
  });

  test('union, slidingWindow and map after them stay distributed', async () => {
    const client = new Client();
    const a = new Stream<number>();
    const b = new Stream<number>();
    const unioned = a.scatter({ client }).map(inc).union(b.scatter({ client }).map(double)).map(inc).gather().sinkToList();
    const windows = a.scatter({ client }).slidingWindow(2).map(total).gather().sinkToList();
    await a.emit(1);
    await b.emit(10);
    await a.emit(2);
    await a.drain();
    await b.drain();
    expect(unioned).toEqual([3, 21, 4]);
    expect(windows).toEqual([1, 3]);
    await client.close();
  });

  test('partition, unique and zip with a literal stay distributed', async () => {
    const client = new Client();
    const source = new Stream<number>();
    const pairs = source.scatter({ client }).map(inc).partition(2).map(total).gather().sinkToList();
    const distinct = source.scatter({ client }).unique().map(double).gather().sinkToList();
    const zipped = source.scatter({ client }).zip(100).gather().sinkToList();
    for (const x of [1, 2, 2, 3]) await source.emit(x);
    await source.drain();
    expect(pairs).toEqual([5, 7]);
    expect(distinct).toEqual([2, 4, 6]);
    expect(zipped).toEqual([
      [1, 100],
      [2, 100],
      [2, 100],
      [3, 100],
    ]);
    await client.close();
  });
});
