/**
 * What metrics and inspection cost on the data path: metrics off, metrics on (an OpenTelemetry SDK
 * registered and a dashboard model observing), and after an observer detached. V8's inline caches
 * are per process, so each case runs in a fresh process: a case cannot slow another down by the
 * shapes it leaves behind.
 */
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Stream } from '../src';
import { InspectionModel } from '../src/inspect/model';
import { cpuRate, measureInFreshProcesses, printTable, type Case, type Measured } from './harness';
import { consume, consumed, even, rivuletPipeline as pipeline } from './workload';

const COUNT = Number(process.env.BENCH_COUNT ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);

function run(source: Stream<number>): number {
  for (let i = 0; i < COUNT; i++) source.emit(i);
  return COUNT;
}

/** Runs `source` while a dashboard model observes it (sampling before and after), then detaches. */
function runObserved(source: Stream<number>): number {
  const model = new InspectionModel({ pipelines: [source] });
  const count = run(source);
  model.sample();
  model.close();
  return count;
}

let sdkRegistered = false;

/** An application's OpenTelemetry SDK with a Prometheus reader: Rivulet's instruments bind to it at the next node. */
function registerSdkOnce(): void {
  if (sdkRegistered) return;
  sdkRegistered = true;
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new PrometheusExporter({ preventServerStart: true })] }));
}

let observedAnother = false;

/** A pipeline runs observed, its observer detaches: whatever that leaves behind stays in this process. */
function observeAnotherPipelineOnce(): void {
  if (observedAnother) return;
  observedAnother = true;
  runObserved(pipeline());
}

let ranOtherOperators = false;

/** What an application does anyway: elements through more node classes than V8 caches per call site. */
function runOtherOperatorsOnce(): void {
  if (ranOtherOperators) return;
  ranOtherOperators = true;
  const source = new Stream<number>();
  source.remove(even).slice(0).unique({ maxsize: 4 }).slidingWindow(2).pluck(0).sink(consume);
  run(source);
}

const METRICS_OFF = 'metrics off';

const cases: Case[] = [
  { name: METRICS_OFF, run: () => run(pipeline()) },
  {
    name: 'metrics on: SDK + dashboard observing',
    run() {
      registerSdkOnce();
      return runObserved(pipeline());
    },
  },
  {
    name: 'after an observer detached',
    run() {
      observeAnotherPipelineOnce();
      return run(pipeline());
    },
  },
  {
    name: 'other operators ran before',
    run() {
      runOtherOperatorsOnce();
      return run(pipeline());
    },
  },
  {
    name: 'other operators ran, metrics on',
    run() {
      runOtherOperatorsOnce();
      registerSdkOnce();
      return runObserved(pipeline());
    },
  },
];

async function measureOne(name: string): Promise<void> {
  const selected = cases.find((c) => c.name === name);
  if (selected === undefined) throw new Error(`no case named ${name}`);
  const measured: Measured = { name, perSecond: await cpuRate(selected.run, ROUNDS) };
  process.stdout.write(JSON.stringify(measured));
  if (consumed() < 0) console.log(consumed());
}

async function main(): Promise<void> {
  const only = process.env.BENCH_INSPECT_CASE;
  if (only !== undefined) return measureOne(only);
  const results = measureInFreshProcesses(__filename, cases.map((c) => c.name), PROCESSES, (name) => ({ BENCH_INSPECT_CASE: name }));
  printTable(`metrics and inspection overhead: map -> filter -> accumulate -> sink, ${COUNT} integers, elements per CPU-second, median of ${ROUNDS} rounds in each of ${PROCESSES} fresh processes per case`, results, METRICS_OFF);
}

void main();
