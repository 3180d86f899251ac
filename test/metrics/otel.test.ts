import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Stream } from '../../src';
import { renderPrometheus } from '../../src/metrics/prometheus';
import { parsePrometheus, valueOf } from '../support/prometheus';

async function scrape(exporter: PrometheusExporter): Promise<ReturnType<typeof parsePrometheus>> {
  const { resourceMetrics, errors } = await exporter.collect();
  expect(errors).toEqual([]);
  return parsePrometheus(new PrometheusSerializer().serialize(resourceMetrics));
}

describe('metrics through OpenTelemetry', () => {
  afterEach(() => {
    metrics.disable();
  });

  test('an SDK registered by the application receives every node metric, named as /metrics names it', async () => {
    const before = new Stream<number>({ name: 'before the SDK' });
    before.sinkToList();
    const exporter = new PrometheusExporter({ preventServerStart: true });
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
    const source = new Stream<number>({ name: 'numbers' });
    const mapped = source.map(function inc(x: number) {
      return x + 1;
    });
    mapped.sinkToList();
    for (let i = 0; i < 7; i++) source.emit(i);
    before.emit(1);

    const series = await scrape(exporter);
    expect(valueOf(series, 'rivulet_node_in_total', { node: 'map: inc', node_id: String(mapped.id) })).toBe(7);
    expect(valueOf(series, 'rivulet_node_out_total', { node: 'numbers; Stream' })).toBe(7);
    expect(valueOf(series, 'rivulet_node_pending', { node: 'map: inc' })).toBe(0);
    expect(valueOf(series, 'rivulet_node_in_total', { node: 'before the SDK; Stream' })).toBe(1);

    const own = parsePrometheus(renderPrometheus(source.graph()));
    const rivulet = (all: typeof series) => new Set(all.filter((s) => s.family.startsWith('rivulet_')).map((s) => `${s.family} ${s.type} ${s.labels.node}`));
    expect([...rivulet(own)].filter((name) => !rivulet(series).has(name))).toEqual([]);
  });

  test('a provider the application replaced stops receiving them once the next node is built', async () => {
    const exporter = new PrometheusExporter({ preventServerStart: true });
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
    const source = new Stream<number>({ name: 'counted' });
    source.sinkToList();
    source.emit(1);
    expect(valueOf(await scrape(exporter), 'rivulet_node_out_total', { node: 'counted; Stream' })).toBe(1);
    metrics.disable();
    new Stream<number>().sinkToList();
    source.emit(2);
    expect(valueOf(await scrape(exporter), 'rivulet_node_out_total', { node: 'counted; Stream' })).not.toBe(2);
  });
});
