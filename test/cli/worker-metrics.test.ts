/**
 * `rivulet worker --metrics-port`: a real worker process on a real nats-server serves Prometheus
 * text with its task counts, `/healthz`, and a `/readyz` that follows the NATS connection.
 */
import { Client, Stream } from '../../src';
import { parseWorkerArgs } from '../../src/cli/worker-args';
import { startWorkerMetrics, type MetricsServer } from '../../src/cli/worker-metrics';
import { Worker } from '../../src/distributed/worker/worker';
import { InProcessBus } from '../../src/transport/in-process-bus';
import { UsageError } from '../../src/cli/usage';
import { failOnThree, inc } from '../distributed/fixtures/tasks';
import { TASKS_MODULE } from '../distributed/support/deployments';
import { freePort } from '../support/free-port';
import { NatsServer } from '../support/nats-server';
import { parsePrometheus, valueOf } from '../support/prometheus';
import { waitFor } from '../support/wait-for';
import { startWorkerProcess, stopStarted, workerReady, type Started } from '../support/worker-process';

const BASE = ['--servers', 'nats://127.0.0.1:4222', '--tasks', 'tasks.js'];
const START = 45_000;
const OUTAGE = 20_000;

async function status(url: string): Promise<number> {
  return (await fetch(url)).status;
}

describe('rivulet worker --metrics-port flags', () => {
  test('the port and host are parsed, the host defaults to 127.0.0.1, mistakes are usage errors naming the flag', () => {
    expect(parseWorkerArgs([...BASE, '--metrics-port', '9464'], {})).toMatchObject({ metricsPort: 9464, metricsHost: '127.0.0.1' });
    expect(parseWorkerArgs([...BASE, '--metrics-port', '0', '--metrics-host', '0.0.0.0'], {})).toMatchObject({ metricsPort: 0, metricsHost: '0.0.0.0' });
    expect(parseWorkerArgs(BASE, {}).metricsPort).toBeUndefined();
    expect(() => parseWorkerArgs([...BASE, '--metrics-port', 'http'], {})).toThrow(UsageError);
    expect(() => parseWorkerArgs([...BASE, '--metrics-port', 'http'], {})).toThrow("rivulet worker: --metrics-port must be an integer >= 0, got 'http'");
    expect(() => parseWorkerArgs([...BASE, '--metrics-port', '70000'], {})).toThrow('rivulet worker: --metrics-port must be at most 65535, got 70000');
    expect(() => parseWorkerArgs([...BASE, '--metrics-host', '0.0.0.0'], {})).toThrow('rivulet worker: --metrics-host needs --metrics-port');
    expect(() => parseWorkerArgs(['--help'], {})).toThrow(/--metrics-port P.*\/readyz/s);
  });
});

describe('the probes of a worker in process', () => {
  let server: MetricsServer | undefined;

  afterEach(() => server?.close());

  test('/readyz is 503 before the worker started and once it drains, 200 in between; /healthz is 200 throughout', async () => {
    const worker = new Worker({ bus: new InProcessBus() });
    server = await startWorkerMetrics(() => worker.serving, 0, '127.0.0.1');
    const url = (path: string): string => (server as MetricsServer).url.replace('/metrics', path);
    expect(await status(url('/readyz'))).toBe(503);
    await worker.start();
    expect(await status(url('/readyz'))).toBe(200);
    await worker.drain();
    expect(await status(url('/readyz'))).toBe(503);
    expect(await status(url('/healthz'))).toBe(200);
    expect((await fetch(url('/metrics'), { method: 'POST' })).status).toBe(405);
  });
});

describe('rivulet worker --metrics-port (real nats-server, real worker process)', () => {
  const prefix = `metrics${process.pid}`;
  const started: Started = {};

  afterEach(() => stopStarted(started));

  test('/metrics parses as Prometheus text with the tasks the worker ran; /readyz is 503 while nats-server is down and 200 once it is back, /healthz 200 throughout', async () => {
    const server = (started.server = await NatsServer.start());
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const worker = (started.worker = startWorkerProcess(server.url, TASKS_MODULE, ['--prefix', prefix, '--heartbeat', '100', '--metrics-port', String(port)]));
    const id = await workerReady(worker, START);
    expect(await status(`${base}/healthz`)).toBe(200);
    expect(await status(`${base}/readyz`)).toBe(200);

    const client = (started.client = new Client({ servers: server.url, prefix }));
    await client.whenReady();
    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(inc).map(failOnThree).buffer(4).gather();
    const out = gathered.sinkToList();
    const errors = gathered.errors.sinkToList();
    for (let i = 0; i < 10; i++) await source.emit(i);
    await source.drain();
    expect(out).toHaveLength(9);
    expect(errors).toHaveLength(1);

    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const series = parsePrometheus(await response.text());
    const labels = { worker: id, pool: 'default' };
    expect(valueOf(series, 'rivulet_worker_tasks_run_total', labels)).toBe(10);
    expect(valueOf(series, 'rivulet_worker_tasks_failed_total', labels)).toBe(1);
    expect(valueOf(series, 'rivulet_worker_busy_slots', labels)).toBe(0);
    expect(valueOf(series, 'rivulet_worker_queue', labels)).toBe(0);
    expect(valueOf(series, 'rivulet_worker_slots', labels)).toBe(1);
    expect(await status(`${base}/nothing`)).toBe(404);

    let ready = 0;
    const pollReady = async (): Promise<void> => {
      ready = await status(`${base}/readyz`);
    };
    await server.stop();
    await waitFor(() => ready === 503, OUTAGE, '/readyz 503 with nats-server down', pollReady);
    expect(await status(`${base}/healthz`)).toBe(200);
    await server.launch();
    await waitFor(() => ready === 200, OUTAGE, '/readyz 200 after nats-server is back', pollReady);
  }, 120_000);
});
