/**
 * Worker actors of other processes in the inspector: a real nats-server, a real `rivulet worker`
 * process and a client's dashboard model in this process.
 */
import { hostname } from 'node:os';
import { exited } from '../distributed/support/deployments';
import { startInspectedWorker } from '../support/inspected-worker';
import { waitFor } from '../support/wait-for';

const START = 45_000;
const HEARD = 10_000;

describe('worker actors of other processes (real nats-server, real rivulet worker)', () => {
  let stop: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  test("the worker's actor appears with its machine and process, shows its transitions while it runs a task, and is gone after SIGKILL", async () => {
    const { worker, id, actorId, source, results, dashboard, actor } = await startInspectedWorker((started) => (stop = started));
    const model = dashboard.model;

    await waitFor(() => actor()?.state === 'ready', HEARD, 'the worker actor reported ready');
    expect(actor()).toMatchObject({ name: `worker ${id}`, machine: 'worker', remote: { host: hostname(), pid: worker.pid, gone: false } });
    const machine = model.inspector(actorId).selected?.machine;
    expect(machine?.states).toEqual(['connecting', 'ready', 'busy', 'saturated', 'draining', 'stopped']);
    expect(machine?.transitions).toContainEqual({ from: 'ready', to: 'busy', event: 'BUSY' });

    await source.emit(1);
    expect(results).toEqual([1]);
    const steps = (): string[] => (model.inspector(actorId).selected?.timeline ?? []).map((entry) => `${entry.event}>${entry.state}`);
    await waitFor(() => actor()?.state === 'ready' && steps().includes('IDLE>ready'), HEARD, 'the worker back to ready');
    expect(steps()).toEqual(expect.arrayContaining(['CONNECTED>ready', 'BUSY>busy', 'IDLE>ready']));
    expect(steps().indexOf('BUSY>busy')).toBeLessThan(steps().lastIndexOf('IDLE>ready'));
    expect(actor()?.events).toBeGreaterThanOrEqual(3);

    worker.kill('SIGKILL');
    await exited(worker);
    await waitFor(() => actor()?.remote?.gone === true, HEARD, 'the worker actor shown as gone');
    expect(actor()?.state).toBe('ready');
  }, START + 3 * HEARD);
});
