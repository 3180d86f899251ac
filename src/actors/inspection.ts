import type { InspectionEvent } from 'xstate';
import { toPipelineError, type PipelineError } from '../errors';
import type { Stream } from '../stream';

export type InspectionObserver = (event: InspectionEvent) => void;

export type FailureObserver = (node: Stream<unknown>, failure: PipelineError) => void;

const observers = new Set<InspectionObserver>();
const failureObservers = new Set<FailureObserver>();

/**
 * The one place every Rivulet actor reports to (passed as xstate's `inspect` option). With no
 * observer attached it returns at once; actors only report state changes, never per element.
 */
export function reportInspection(event: InspectionEvent): void {
  if (observers.size === 0) return;
  for (const observer of observers) observer(event);
}

/** Receive every actor's inspection events; returns the unsubscribe function. */
export function observeActors(observer: InspectionObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/** A node counted a failure (a throw out of its `update`, or one sent to its `errors`). */
export function reportFailure(node: Stream<unknown>, element: unknown, error: unknown): void {
  if (failureObservers.size === 0) return;
  const failure = toPipelineError(String(node), element, error);
  for (const observer of failureObservers) observer(node, failure);
}

/** Receive every node's failures as they are counted; returns the unsubscribe function. */
export function observeFailures(observer: FailureObserver): () => void {
  failureObservers.add(observer);
  return () => failureObservers.delete(observer);
}
