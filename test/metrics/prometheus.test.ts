import { Client, Stream } from '../../src';
import { NODE_METRICS, SEGMENT_METRICS } from '../../src/metrics/definitions';
import { prometheusName, renderPrometheus } from '../../src/metrics/prometheus';
import { parsePrometheus, valueOf } from '../support/prometheus';

describe('Prometheus text of the metrics', () => {
  test('every node in, out, errors and pending, labelled with its name and id', () => {
    const source = new Stream<number>({ name: 'say "hi"\\now' });
    const doubled = source.map(function double(x: number) {
      return x * 2;
    });
    const sink = doubled.sink(function fail(x: number) {
      if (x === 6) throw new Error('six');
    });
    for (let i = 0; i < 3; i++) expect(() => source.emit(i)).not.toThrow();
    expect(() => source.emit(3)).toThrow('six');
    const series = parsePrometheus(renderPrometheus([source, doubled, sink]));
    expect(series.filter((s) => s.labels.node === 'map: double').map((s) => [s.family, s.type, s.value])).toEqual([
      ['rivulet_node_in_total', 'COUNTER', 4],
      ['rivulet_node_out_total', 'COUNTER', 4],
      ['rivulet_node_errors_total', 'COUNTER', 0],
      ['rivulet_node_pending', 'GAUGE', 0],
    ]);
    expect(valueOf(series, 'rivulet_node_errors_total', { node: 'sink: fail', node_id: String(sink.id) })).toBe(1);
    expect(valueOf(series, 'rivulet_node_out_total', { node: 'say "hi"\\now; Stream' })).toBe(4);
  });

  test('a segment adds tasks in flight, credits, pending elements and duplicates', async () => {
    const client = new Client();
    try {
      const source = new Stream<number>();
      const gathered = source.scatter({ client }).map(function inc(x: number) {
        return x + 1;
      }).buffer(4).gather();
      gathered.sinkToList();
      await client.whenReady();
      for (let i = 0; i < 5; i++) await source.emit(i);
      await source.drain();
      const series = parsePrometheus(renderPrometheus(source.graph()));
      const segment = { node: 'gather', tasks: 'inc' };
      expect(valueOf(series, 'rivulet_segment_credits', segment)).toBe(4);
      expect(valueOf(series, 'rivulet_segment_in_flight', segment)).toBe(0);
      expect(valueOf(series, 'rivulet_segment_pending', segment)).toBe(0);
      expect(valueOf(series, 'rivulet_segment_duplicates_total', segment)).toBe(0);
      expect(valueOf(series, 'rivulet_node_out_total', { node: 'gather' })).toBe(5);
      expect(valueOf(series, 'rivulet_node_in_total', { node: 'scatter' })).toBe(5);
    } finally {
      await client.close();
    }
  });

  test('names follow OpenTelemetry: dots become underscores, counters end in _total', () => {
    expect(prometheusName(NODE_METRICS.in)).toBe('rivulet_node_in_total');
    expect(prometheusName(NODE_METRICS.pending)).toBe('rivulet_node_pending');
    expect(prometheusName(SEGMENT_METRICS.inFlight)).toBe('rivulet_segment_in_flight');
    expect(renderPrometheus([])).toBe('');
  });
});
