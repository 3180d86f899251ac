import { Client, Stream, type ClientOptions, type DistributedStream, type NatsConnectionOptions, type Remote } from '../../src';
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

describe('ClientOptions in the types', () => {
  test('a misspelled option does not compile; the NATS connection options do', () => {
    // Never called: each would also throw an ArgumentRangeError at run time.
    const misspelled = (): Client[] => [
      // @ts-expect-error `worker` is not an option (`workers` is)
      new Client({ worker: 2, tasks: './dist/tasks.js' }),
      // @ts-expect-error `task` is not an option (`tasks` is)
      new Client({ workers: 2, task: './dist/tasks.js' }),
      // @ts-expect-error `server` is not an option (`servers` is)
      new Client({ server: 'nats://127.0.0.1:4222' }),
      // @ts-expect-error `password` is not an option (`pass` is)
      new Client({ servers: 'nats://127.0.0.1:4222', user: 'alice', password: 's3cret' }),
    ];
    expect(misspelled).toEqual(expect.any(Function));
    const connection: NatsConnectionOptions = {
      servers: ['nats://127.0.0.1:4222'],
      token: 't0ken',
      user: 'alice',
      pass: 's3cret',
      nkeySeed: 'SU...',
      credsFile: '/etc/nats/user.creds',
      tls: { caFile: '/ca.pem', certFile: '/cert.pem', keyFile: '/key.pem' },
      name: 'billing',
      maxReconnectAttempts: 10,
      reconnectTimeWait: 500,
    };
    const options: ClientOptions = { ...connection, prefix: 'app', pool: 'default', lease: 60_000 };
    expect(Object.keys(options)).toHaveLength(13);
  });
});
