/**
 * Issue 13 item 3 with everything durable and real processes: a pipeline process
 * `fromNats(in, { durable })` → `scatter({ durable })` → `map(bill)` → `buffer(16)` → `gather()` →
 * `toNats(out, { jetstream: true, msgId })`, two `rivulet worker` processes; the pipeline process is
 * SIGKILLed and started again, a worker is SIGKILLed, nats-server restarts with its store.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startScript } from '../../support/link-scenario';
import { exactlyOnceVerdict, ORDERS_IN, ORDERS_OUT, startOrdersScenario, type OrdersScenario } from '../../support/orders-scenario';
import { waitFor } from '../../support/wait-for';
import { killWorkerProcess, startWorkerCommand, workerReady } from '../../support/worker-process';

const DURABLE_TASKS = join(__dirname, '..', 'fixtures', 'durable-tasks.ts');
const COUNT = 1_000;
/** The pipeline process SIGKILLs itself when this result reaches its sink. */
const DIE_AT = COUNT / 5;
/** Three process starts at once, a restart of the pipeline process and of nats-server: 16-27 s at load 10-12 here; CI runs two suites side by side. */
const TIMEOUT = 50_000;

describe('exactly once through a durable source, a durable segment and a JetStream sink, with real processes', () => {
  let scenario: OrdersScenario | undefined;
  const children: ChildProcess[] = [];

  afterEach(async () => {
    await Promise.all(children.splice(0).map(killWorkerProcess));
    await scenario?.bus.close();
    await scenario?.server.stop();
  });

  // Without the message id from the input, the results the killed process had stored and not yet
  // confirmed to the segment are stored twice; without durable on the segment, the inputs it had
  // acknowledged and not yet published are lost.
  test(
    'the pipeline process SIGKILLed and started again, a worker SIGKILLed, nats-server restarted with its store: the output holds each input exactly once',
    async () => {
      const began = Date.now();
      const deadline = began + TIMEOUT;
      const remaining = (): number => Math.max(1, deadline - Date.now());
      const prefix = `exactlyonce${process.pid}`;
      const orders = await startOrdersScenario();
      scenario = orders;
      const url = orders.server.url;
      const marks: string[] = [];
      const mark = (what: string): void => {
        marks.push(`${what} at ${orders.stored} stored, ${((Date.now() - began) / 1000).toFixed(1)} s`);
      };

      const startWorker = async (): Promise<ChildProcess> => {
        const child = startWorkerCommand(['--servers', url, '--tasks', DURABLE_TASKS, '--prefix', prefix, '--heartbeat', '200', '--concurrency', '2']);
        children.push(child);
        await workerReady(child, remaining());
        return child;
      };
      const flagged: number[] = [];
      const startPipeline = async (dieAt?: number): Promise<ChildProcess> => {
        let ready = false;
        const args = [url, prefix, ORDERS_IN, ORDERS_OUT, ...(dieAt === undefined ? [] : [String(dieAt)])];
        const child = startScript('durable-e2e-pipeline-process.ts', args, (line) => {
          if (line === 'ready') ready = true;
          const repeat = /^repeat (\d+)$/.exec(line);
          if (repeat !== null) flagged.push(Number(repeat[1]));
        });
        children.push(child);
        await waitFor(() => ready, remaining(), 'the pipeline process to consume');
        return child;
      };

      let restartedAt = COUNT;
      try {
        const [doomedWorker, , firstPipeline] = await Promise.all([startWorker(), startWorker(), startPipeline(DIE_AT), orders.publishInputs(COUNT)]);
        mark('processes ready');
        const dead = (): boolean => firstPipeline.signalCode !== null || firstPipeline.exitCode !== null;
        await waitFor(dead, remaining(), `the pipeline process to SIGKILL itself at result ${DIE_AT}`, orders.refreshStored);
        expect(firstPipeline.signalCode).toBe('SIGKILL');
        mark('pipeline SIGKILLed');
        await startPipeline();
        mark('pipeline started again');
        await orders.reach((COUNT * 2) / 5, remaining(), 'two fifths of the output');
        await killWorkerProcess(doomedWorker);
        mark('worker SIGKILLed');
        await orders.reach((COUNT * 3) / 5, remaining(), 'three fifths of the output');
        await orders.server.restart();
        mark('nats-server restarted');
        restartedAt = orders.stored;
        await orders.reach(COUNT, remaining(), 'the whole output');
        mark('whole output');
      } finally {
        // On a failure too: how far the run got, and when.
        process.stdout.write(`exactly once: ${marks.join('; ')}; ${flagged.length} results flagged as repeats\n`);
      }

      const verdict = await exactlyOnceVerdict(orders.bus.connection, 'billing', COUNT, remaining());
      expect({ stored: verdict.stored, repeated: verdict.repeated, missing: verdict.missing }).toEqual({ stored: COUNT, repeated: [], missing: [] });
      expect(verdict.output).toContainEqual({ id: COUNT - 1, doubled: 2 * (COUNT - 1) });
      // Results delivered before the SIGKILL and not yet confirmed came again, flagged: the one it died
      // at always, earlier ones when their confirmation was still out (it depends on timing: a run
      // where all of them were confirmed failed `id < DIE_AT`), and the message id kept the stored
      // ones from being stored twice. (Later ids can be flagged too: results the dead process held
      // undelivered, sink retries during the restart.)
      expect(flagged.length).toBeGreaterThan(0);
      expect(flagged).toContain(DIE_AT);
      expect(restartedAt).toBeLessThan(COUNT);
      expect(verdict.ackFloor).toBe(COUNT);
    },
    TIMEOUT + 3_000,
  );
});
