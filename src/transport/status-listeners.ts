import type { BusStatus, BusStatusEvent } from './bus';

/** Holds a bus's status and tells listeners when it changes. */
export class StatusListeners {
  private readonly listeners = new Set<(event: BusStatusEvent) => void>();

  constructor(public current: BusStatus) {}

  add(listener: (event: BusStatusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(status: BusStatus, detail?: string): void {
    this.current = status;
    const event: BusStatusEvent = detail === undefined ? { status } : { status, detail };
    for (const listener of [...this.listeners]) listener(event);
  }
}
