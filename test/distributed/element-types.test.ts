/**
 * Elements on NATS (real nats-server): what cannot travel fails alone, naming its type and the
 * task it was meant for; BigInt, Map, Set, Date and Buffer arrive as themselves.
 */
import { Client, PipelineError, Stream, task } from '../../src';
import { Worker } from '../../src/distributed/worker/worker';
import type { Bus } from '../../src/transport/bus';
import { NatsBus } from '../../src/transport/nats-bus';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';

const echo = task('echo', <T>(x: T): T => x);

class Point {
  constructor(readonly x: number) {}
  norm(): number {
    return Math.abs(this.x);
  }
}

describe('element types on NATS', () => {
  let server: NatsServer;
  let workerBus: Bus;
  let worker: Worker;
  let client: Client;

  beforeAll(async () => {
    server = await NatsServer.start();
    workerBus = await NatsBus.connect({ servers: server.url });
    worker = await new Worker({ bus: workerBus, heartbeatInterval: 100 }).start();
    client = new Client({ servers: server.url });
    await client.whenReady();
    await waitFor(() => client.workers().length === 1, 5000, 'the worker heard');
  });

  afterAll(async () => {
    await client?.close({ timeout: 1000 }).catch(() => {});
    await worker?.drain();
    await workerBus?.close();
    await server?.stop();
  });

  test('functions, symbols and class instances with methods fail their own element naming the type; the others round-trip', async () => {
    function onClick(): void {}
    const symbol = Symbol('id');
    const point = new Point(3);
    const sendable = [2n ** 70n, new Map<unknown, unknown>([[1, { a: [1n] }]]), new Set(['a']), new Date(1_700_000_000_000), Buffer.from('bytes')];
    const source = new Stream<unknown>();
    const gathered = source.scatter({ client }).map(echo).buffer(16).gather();
    const out = gathered.sinkToList();
    const errors = gathered.errors.sinkToList();
    for (const element of [onClick, ...sendable.slice(0, 2), symbol, ...sendable.slice(2), point]) await source.emit(element);
    await source.drain();

    expect(out).toEqual(sendable);
    expect(Buffer.isBuffer(out[4])).toBe(true);
    expect(errors.map((error) => error instanceof PipelineError && [error.task, error.element])).toEqual([
      ['echo', onClick],
      ['echo', symbol],
      ['echo', point],
    ]);
    expect(errors.map((error) => (error as PipelineError).message)).toEqual([
      expect.stringContaining('cannot send a function (onClick): only data travels'),
      expect.stringContaining('cannot send a symbol (Symbol(id))'),
      expect.stringContaining('cannot send an instance of class Point: its methods (norm) would not travel'),
    ]);
  });
});
