import type { Stream } from '../stream';
import { collectMetrics, collectWorkerMetrics, type MetricAttributes, type Observe, type WorkerView } from './collect';
import { METRICS, type MetricDefinition } from './definitions';
import { liveNodes, liveWorkers } from './registry';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The metrics of `nodes` and `workers` in Prometheus' text format, named as OpenTelemetry's Prometheus exporter names them. */
export function renderPrometheus(nodes: Iterable<Stream<unknown>>, workers: Iterable<WorkerView> = []): string {
  const samples = new Map<MetricDefinition, string[]>(METRICS.map((metric) => [metric, []]));
  const observe: Observe = (metric, value, attributes) => samples.get(metric)?.push(`${prometheusName(metric)}${labels(attributes)} ${value}`);
  collectMetrics(nodes, observe);
  collectWorkerMetrics(workers, observe);
  const lines: string[] = [];
  for (const [metric, values] of samples) {
    if (values.length === 0) continue;
    const name = prometheusName(metric);
    lines.push(`# HELP ${name} ${escapeHelp(metric.description)}`, `# TYPE ${name} ${metric.kind}`, ...values);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Every node and worker of this process, as `/metrics` serves them. */
export function renderLiveMetrics(): string {
  return renderPrometheus(liveNodes(), liveWorkers());
}

/** `rivulet.node.in` -> `rivulet_node_in_total` (counters end in `_total`). */
export function prometheusName(metric: MetricDefinition): string {
  const name = metric.name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return metric.kind === 'counter' ? `${name}_total` : name;
}

function labels(attributes: MetricAttributes): string {
  const pairs = Object.entries(attributes).map(([key, value]) => `${key}="${escapeLabel(value)}"`);
  return `{${pairs.join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
