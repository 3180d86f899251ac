/**
 * What metrics and traces cost a distributed segment in process: `scatter().map(inc).buffer(256)
 * .gather()` on the embedded client (segment counters, worker counters, the trace hooks), with
 * metrics off, with an OpenTelemetry MeterProvider registered and scraped after every run, after
 * that provider was detached, and with a tracing SDK registered (elements carry no span: the
 * hooks' cost when nothing is traced). Each case runs in fresh processes
 * (see bench/inspect.ts for why), elements per CPU-second.
 *
 *   npx ts-node -T bench/metrics.ts   (BENCH_COUNT, BENCH_ROUNDS, BENCH_PROCESSES override)
 */
import { metrics, trace } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Client } from '../src';
import { cpuRate, measureInFreshProcesses, printTable, type Measured } from './harness';
import { runSegmentPipeline, WINDOW } from './support/segment-pipeline';

const COUNT = Number(process.env.BENCH_COUNT ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);

/** Prepares the process for a case; returns what runs after each measured round (a scrape, say). */
type Setup = () => (() => Promise<void>) | undefined;

function registerMeterProvider(): PrometheusExporter {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
  return exporter;
}

async function scrape(exporter: PrometheusExporter): Promise<void> {
  const { errors } = await exporter.collect();
  if (errors.length > 0) throw new Error(`metrics collection failed: ${String(errors[0])}`);
}

const METRICS_OFF = 'metrics off';
const DETACHED = 'after the SDK detached';

const cases: Record<string, Setup> = {
  [METRICS_OFF]: () => undefined,
  'metrics on: SDK, scraped each run': () => {
    const exporter = registerMeterProvider();
    return () => scrape(exporter);
  },
  [DETACHED]: () => undefined,
  'tracing SDK, elements without spans': () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    return undefined;
  },
};

/** Before the detached case's measured runs: a metered, scraped run, then the provider goes away. */
async function runMeteredThenDetach(client: Client): Promise<void> {
  const exporter = registerMeterProvider();
  await runSegmentPipeline(client, COUNT);
  await scrape(exporter);
  metrics.disable();
}

async function measureOne(name: string): Promise<void> {
  const afterRun = cases[name]();
  const client = new Client();
  await client.whenReady();
  if (name === DETACHED) await runMeteredThenDetach(client);
  const run = async (): Promise<number> => {
    const count = await runSegmentPipeline(client, COUNT);
    await afterRun?.();
    return count;
  };
  await run();
  const measured: Measured = { name, perSecond: await cpuRate(run, ROUNDS) };
  await client.close();
  process.stdout.write(JSON.stringify(measured));
}

async function main(): Promise<void> {
  const only = process.env.BENCH_METRICS_CASE;
  if (only !== undefined) return measureOne(only);
  const results = measureInFreshProcesses(__filename, Object.keys(cases), PROCESSES, (name) => ({ BENCH_METRICS_CASE: name }));
  printTable(`metrics and traces on a segment: embedded scatter().map(inc).buffer(${WINDOW}).gather(), ${COUNT} elements, elements per CPU-second, median of ${ROUNDS} rounds (after a warm-up) in each of ${PROCESSES} fresh processes per case`, results, METRICS_OFF);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
