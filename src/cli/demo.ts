/**
 * The seed scenario (streamz's docs example): `inc` sleeps, ten elements go through it one at a
 * time, then through `scatter().map(inc).buffer(8).gather()` on the embedded client.
 */
import { Client, Stream, task } from '../index';
import { startLiveDashboard, type LiveDashboard } from '../inspect/live';

export interface DemoOptions {
  /** How long each `inc` sleeps (ms). */
  taskMs?: number;
  count?: number;
  log?: (line: string) => void;
  /** Serve the live dashboard on this port while the scenario runs (the CLI's `--dashboard`). */
  dashboardPort?: number;
}

export interface DemoTimings {
  sequentialMs: number;
  parallelMs: number;
  sequential: number[];
  parallel: number[];
  /** The dashboard, still open, when one was asked for: the caller closes it. */
  dashboard?: LiveDashboard;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let taskMs = 1000;

/** streamz's `inc`, sleeping `taskMs` first. */
const inc = task('demo.inc', async (x: number) => {
  await sleep(taskMs);
  return x + 1;
});

export async function runDemo(options: DemoOptions = {}): Promise<DemoTimings> {
  taskMs = options.taskMs ?? 1000;
  const count = options.count ?? 10;
  const log = options.log ?? console.log;
  const dashboard = options.dashboardPort === undefined ? undefined : await startLiveDashboard({ port: options.dashboardPort });
  if (dashboard) log(`Dashboard: ${dashboard.url}`);

  log(`Sequential: ${count} elements through inc (${taskMs} ms each)`);
  const sequential = await timeRun(count, (source) => source.map(inc), dashboard);
  log(`  ${sequential.ms} ms: ${sequential.results.join(' ')}`);

  const client = new Client();
  dashboard?.useClient(client);
  log('Parallel: source.scatter().map(inc).buffer(8).gather() on the embedded client');
  const parallel = await timeRun(count, (source) => source.scatter({ client }).map(inc).buffer(8).gather(), dashboard);
  log(`  ${parallel.ms} ms: ${parallel.results.join(' ')}`);
  await client.close();
  return { sequentialMs: sequential.ms, parallelMs: parallel.ms, sequential: sequential.results, parallel: parallel.results, dashboard };
}

async function timeRun(
  count: number,
  build: (source: Stream<number>) => Stream<number>,
  dashboard: LiveDashboard | undefined,
): Promise<{ ms: number; results: number[] }> {
  const source = new Stream<number>({ name: 'numbers' });
  const results = build(source).sinkToList();
  dashboard?.add(source);
  const start = performance.now();
  for (let i = 0; i < count; i++) await source.emit(i);
  await source.drain();
  return { ms: Math.round(performance.now() - start), results };
}
