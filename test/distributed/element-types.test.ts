/**
 * Elements on NATS (real nats-server) and to worker threads: what cannot travel fails alone,
 * naming its type and the task it was meant for; BigInt, Map, Set, Date and Buffer arrive as
 * themselves.
 */
import { Client, PipelineError, Stream } from '../../src';
import { Worker } from '../../src/distributed/worker/worker';
import type { Bus } from '../../src/transport/bus';
import { NatsBus } from '../../src/transport/nats-bus';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';
import { echo } from './fixtures/tasks';
import { TASKS_MODULE } from './support/deployments';

class Point {
  constructor(readonly x: number) {}
  norm(): number {
    return Math.abs(this.x);
  }
}

interface Deployment {
  start(): Promise<Client>;
  stop(): Promise<void>;
}

function nats(): Deployment {
  let server: NatsServer;
  let workerBus: Bus;
  let worker: Worker;
  return {
    async start() {
      server = await NatsServer.start();
      workerBus = await NatsBus.connect({ servers: server.url });
      worker = await new Worker({ bus: workerBus, heartbeatInterval: 100 }).start();
      return new Client({ servers: server.url });
    },
    async stop() {
      await worker?.drain();
      await workerBus?.close();
      await server?.stop();
    },
  };
}

function threads(): Deployment {
  return { start: async () => new Client({ workers: 1, tasks: TASKS_MODULE }), stop: async () => undefined };
}

// Structured clone hands a Buffer to worker threads as a plain Uint8Array (same bytes).
describe.each([
  ['NATS', nats, true],
  ['worker threads', threads, false],
])('element types (%s)', (_, deployment, keepsBuffers) => {
  const cluster = deployment();
  let client: Client;

  beforeAll(async () => {
    client = await cluster.start();
    await client.whenReady();
    await waitFor(() => client.workers().length === 1, 10_000, 'the worker heard');
  }, 30_000);

  afterAll(async () => {
    await client?.close({ timeout: 1000 }).catch(() => {});
    await cluster.stop();
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
    expect(Buffer.isBuffer(out[4])).toBe(keepsBuffers);
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
