import type { InspectionEvent } from 'xstate';
import { Stream } from '../stream';
import { InspectionModel, type DashboardState, type InspectTarget, type ModelOptions } from './model';

export interface InspectObserver {
  /** Every actor's inspection event (actor created, event received, snapshot), as it happens. */
  actor?(event: InspectionEvent): void;
  /** The whole model, per-node counters included, every `interval` ms. */
  sample?(state: DashboardState): void;
}

export interface InspectOptions extends ModelOptions {
  /** Milliseconds between samples (default 1000). */
  interval?: number;
}

/** Turns a pipeline (any of its nodes) or a full target into an `InspectTarget`. */
export function toInspectTarget(target: Stream<unknown> | InspectTarget): InspectTarget {
  return target instanceof Stream ? { pipelines: [target] } : target;
}

/**
 * Observes a pipeline (or a client's pipelines and workers): actor transitions as they happen,
 * counters every `interval` ms. Nothing is counted before this is called or after the returned
 * function is called.
 */
export function inspect(target: Stream<unknown> | InspectTarget, observer: InspectObserver, options: InspectOptions = {}): () => void {
  const { interval = 1000, ...modelOptions } = options;
  const onActor = observer.actor?.bind(observer);
  const model = new InspectionModel(toInspectTarget(target), { ...modelOptions, onActorEvent: onActor });
  const timer = setInterval(() => observer.sample?.(model.sample()), interval);
  timer.unref();
  return () => {
    clearInterval(timer);
    model.close();
  };
}
