import { metrics, type MeterProvider } from '@opentelemetry/api';
import type { Stream } from '../stream';
import { WeakList } from '../util/weak-list';
import type { WorkerView } from './collect';
import { bindMeter } from './otel';

/** Every node and worker of this process, held weakly: metrics report all of them and a client's dashboard finds its pipelines here. */
const nodes = new WeakList<Stream<unknown>>();
const workers = new WeakList<WorkerView>(16);
let boundProvider: MeterProvider | undefined = undefined;
let unbind: (() => void) | undefined = undefined;

/** Called by every new node. */
export function registerNode(node: Stream<unknown>): void {
  nodes.add(node);
  followGlobalMeterProvider();
}

/** Called by every new worker. */
export function registerWorker(worker: WorkerView): void {
  workers.add(worker);
  followGlobalMeterProvider();
}

/** The nodes alive now, oldest first. */
export function liveNodes(): Stream<unknown>[] {
  return nodes.live();
}

/** The workers alive now, oldest first. */
export function liveWorkers(): WorkerView[] {
  return workers.live();
}

/**
 * Binds Rivulet's instruments to the global meter provider (OpenTelemetry's no-op one until the
 * application registers an SDK), again whenever a node or worker is built after the provider changed.
 */
function followGlobalMeterProvider(): void {
  const provider = metrics.getMeterProvider();
  if (provider === boundProvider) return;
  unbind?.();
  boundProvider = provider;
  unbind = bindMeter(provider.getMeter('rivulet'), liveNodes, liveWorkers);
}
