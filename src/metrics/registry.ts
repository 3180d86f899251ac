import { metrics, type MeterProvider } from '@opentelemetry/api';
import type { Stream } from '../stream';
import { bindMeter } from './otel';

/**
 * Every node of this process, held weakly: metrics report all of them and a client's dashboard
 * finds its pipelines here. Dead references are swept whenever the set doubled since the last sweep.
 */
const nodes = new Set<WeakRef<Stream<unknown>>>();
const FIRST_SWEEP = 1024;
let sweepAt = FIRST_SWEEP;
let boundProvider: MeterProvider | undefined = undefined;
let unbind: (() => void) | undefined = undefined;

/** Called by every new node. */
export function registerNode(node: Stream<unknown>): void {
  nodes.add(new WeakRef(node));
  if (nodes.size >= sweepAt) {
    liveNodes();
    sweepAt = Math.max(FIRST_SWEEP, nodes.size * 2);
  }
  followGlobalMeterProvider();
}

/** The nodes alive now, oldest first. */
export function liveNodes(): Stream<unknown>[] {
  const alive: Stream<unknown>[] = [];
  for (const ref of nodes) {
    const node = ref.deref();
    if (node === undefined) nodes.delete(ref);
    else alive.push(node);
  }
  return alive;
}

/**
 * Binds Rivulet's instruments to the global meter provider (OpenTelemetry's no-op one until the
 * application registers an SDK), again whenever a node is built after the provider changed.
 */
function followGlobalMeterProvider(): void {
  const provider = metrics.getMeterProvider();
  if (provider === boundProvider) return;
  unbind?.();
  boundProvider = provider;
  unbind = bindMeter(provider.getMeter('rivulet'), liveNodes);
}
