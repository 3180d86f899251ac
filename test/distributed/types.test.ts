import { Client, Stream, type DistributedStream, type Remote } from '../../src';
import { inc } from './fixtures/tasks';

/** Compile-time checks (`npm run typecheck`); the runtime part only shows what a local node receives. */
describe('Remote<T> in the types', () => {
  test('a local node attached without gather() receives Remote<T>, not T', async () => {
    const client = new Client();
    const source = new Stream<number>();
    const distributed: DistributedStream<number> = source.scatter({ client }).map(inc);
    // Never called: at run time the sink would receive an unresolved value and throw.
    const misuse = (): unknown =>
      // @ts-expect-error a local sink on a distributed stream receives Remote<number>, not number
      distributed.sink((x: number) => x.toFixed());
    expect(misuse).toEqual(expect.any(Function));
    const received: Array<Remote<number>> = distributed.sinkToList();
    const gathered: number[] = distributed.gather().sinkToList();
    await source.emit(1);
    await source.drain();
    expect(gathered).toEqual([2]);
    expect(received).toHaveLength(1);
    expect(received[0]).not.toBe(2);
    await client.close();
  });
});
