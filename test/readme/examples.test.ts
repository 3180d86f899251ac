/** The programs in examples/, run for real: threads.ts on worker threads, nats.ts against rivulet worker processes on a nats-server of its own. */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { NatsServer } from '../support/nats-server';
import { ROOT, runTypeScript } from '../support/run-typescript';
import { startWorkerProcess, workerReady } from '../support/worker-process';

const EXAMPLES = join(ROOT, 'examples');
const ONE_TO_TEN = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** The numbers of the array printed after `label` (console.log's layout of an array varies with its width). */
function printedArray(output: string, label: string): number[] {
  const match = new RegExp(`${label}: \\d+ ms \\[([^\\]]*)\\]`).exec(output);
  if (match === null) throw new Error(`no '${label}' line in:\n${output}`);
  return match[1].split(',').map((item) => Number(item.trim()));
}

describe('examples/', () => {
  test('threads.ts: the seed scenario and CPU-bound tasks on four worker threads', async () => {
    const result = await runTypeScript(join(EXAMPLES, 'threads.ts'), [], { env: { TASK_MS: '20' }, timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(printedArray(result.stdout, 'inc on 4 threads')).toEqual(ONE_TO_TEN);
    expect(result.stdout).toMatch(/8 x 250 ms of CPU on 4 threads: \d+ ms \(8 done\)/);
  }, 70_000);

  describe('nats.ts', () => {
    let server: NatsServer | undefined;
    let workers: ChildProcess[] = [];

    afterEach(async () => {
      for (const worker of workers) worker.kill('SIGKILL');
      workers = [];
      await server?.stop();
    });

    test('the seed scenario on two rivulet worker processes over NATS', async () => {
      server = await NatsServer.start();
      workers = [0, 1].map(() => startWorkerProcess(server!.url, join(EXAMPLES, 'tasks.ts'), ['--concurrency', '4']));
      const ids = await Promise.all(workers.map((worker) => workerReady(worker, 40_000)));
      const result = await runTypeScript(join(EXAMPLES, 'nats.ts'), [], { env: { NATS_URL: server.url }, timeout: 60_000 });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(printedArray(result.stdout, 'inc on NATS workers')).toEqual(ONE_TO_TEN);
      for (const id of ids) expect(result.stdout).toContain(id);
    }, 120_000);
  });
});
