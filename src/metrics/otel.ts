import type { BatchObservableCallback, Meter, Observable } from '@opentelemetry/api';
import type { Stream } from '../stream';
import { collectMetrics, collectWorkerMetrics, type Observe, type WorkerView } from './collect';
import { METRICS, type MetricDefinition } from './definitions';

/**
 * Records Rivulet's metrics on `meter` as observable instruments: the SDK reads the nodes' own
 * counters when it collects, so recording adds nothing to the data path. Returns the unbind function.
 */
export function bindMeter(meter: Meter, nodes: () => Iterable<Stream<unknown>>, workers: () => Iterable<WorkerView>): () => void {
  const instruments = new Map<MetricDefinition, Observable>(METRICS.map((metric) => [metric, instrument(meter, metric)]));
  const callback: BatchObservableCallback = (result) => {
    const observe: Observe = (metric, value, attributes) => result.observe(instruments.get(metric) as Observable, value, attributes);
    collectMetrics(nodes(), observe);
    collectWorkerMetrics(workers(), observe);
  };
  const observables = [...instruments.values()];
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}

function instrument(meter: Meter, metric: MetricDefinition): Observable {
  const options = { description: metric.description, unit: metric.unit };
  return metric.kind === 'counter' ? meter.createObservableCounter(metric.name, options) : meter.createObservableUpDownCounter(metric.name, options);
}
