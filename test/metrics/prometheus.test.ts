import * as path from 'node:path';
import { Client, Stream } from '../../src';
import { NODE_METRICS, SEGMENT_METRICS } from '../../src/metrics/definitions';
import { prometheusName, renderLiveMetrics, renderPrometheus } from '../../src/metrics/prometheus';
import { parsePrometheus, valueOf } from '../support/prometheus';
import { square } from '../distributed/fixtures/user-project/tasks';

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

  test('a segment adds tasks sent, results, retries, re-dispatches, duplicates, in flight, credits and pending; its workers tasks run, failed, slots and queue', async () => {
    const client = new Client();
    try {
      const source = new Stream<number>();
      const failed = new Set<number>();
      const gathered = source.scatter({ client }).map(function failTwoOnce(x: number) {
        if (x === 2 && !failed.has(x)) {
          failed.add(x);
          throw new Error('once');
        }
        return x + 1;
      }, { retries: 1 }).buffer(4).gather();
      gathered.sinkToList();
      await client.whenReady();
      for (let i = 0; i < 5; i++) await source.emit(i);
      await source.drain();
      const series = parsePrometheus(renderLiveMetrics());
      const segment = { node: 'scatter: failTwoOnce', tasks: 'failTwoOnce' };
      expect(valueOf(series, 'rivulet_segment_tasks_sent_total', segment)).toBe(6);
      expect(valueOf(series, 'rivulet_segment_results_total', segment)).toBe(6);
      expect(valueOf(series, 'rivulet_segment_retries_total', segment)).toBe(1);
      expect(valueOf(series, 'rivulet_segment_redispatches_total', segment)).toBe(1);
      expect(valueOf(series, 'rivulet_segment_duplicates_total', segment)).toBe(0);
      expect(valueOf(series, 'rivulet_segment_credits', segment)).toBe(4);
      expect(valueOf(series, 'rivulet_segment_in_flight', segment)).toBe(0);
      expect(valueOf(series, 'rivulet_segment_pending', segment)).toBe(0);
      expect(valueOf(series, 'rivulet_node_out_total', { node: 'gather', node_id: String(gathered.id) })).toBe(5);

      const [worker] = client.workers();
      const labels = { worker: worker.id, pool: 'default' };
      expect(valueOf(series, 'rivulet_worker_tasks_run_total', labels)).toBe(6);
      expect(valueOf(series, 'rivulet_worker_tasks_failed_total', labels)).toBe(1);
      expect(valueOf(series, 'rivulet_worker_busy_slots', labels)).toBe(0);
      expect(valueOf(series, 'rivulet_worker_queue', labels)).toBe(0);
      expect(valueOf(series, 'rivulet_worker_slots', labels)).toBe(worker.capacity);
    } finally {
      await client.close();
    }
  });

  test('worker threads of a local cluster appear in this process, counted from what the client hears of them', async () => {
    const client = new Client({ workers: 2, tasks: path.join(__dirname, '..', 'distributed', 'fixtures', 'user-project', 'tasks.ts') });
    try {
      const source = new Stream<number>();
      source.scatter({ client }).map(square).buffer(4).gather().sinkToList();
      await client.whenReady();
      for (let i = 0; i < 10; i++) await source.emit(i);
      await source.drain();
      const series = parsePrometheus(renderLiveMetrics());
      const threads = client.workers().map((worker) => ({ worker: worker.id, pool: 'default' }));
      expect(threads).toHaveLength(2);
      expect(threads.reduce((sum, labels) => sum + (valueOf(series, 'rivulet_worker_tasks_run_total', labels) ?? 0), 0)).toBe(10);
      for (const labels of threads) {
        expect(valueOf(series, 'rivulet_worker_slots', labels)).toBe(1);
        expect(valueOf(series, 'rivulet_worker_busy_slots', labels)).toBe(0);
      }
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
