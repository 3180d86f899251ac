import type { InspectionEvent } from 'xstate';

export type InspectionObserver = (event: InspectionEvent) => void;

const observers = new Set<InspectionObserver>();

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
