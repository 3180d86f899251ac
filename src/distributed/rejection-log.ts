import type { Bus, RejectionKind } from '../transport/bus';
import { ProtocolError } from './protocol';

export type RejectionCounts = Record<RejectionKind, number>;

export function noRejections(): RejectionCounts {
  return { malformed: 0, oversized: 0, 'too-deep': 0, 'unknown-version': 0 };
}

/**
 * Refused messages, counted by kind and logged once per kind: a flood of garbage must not become
 * a flood on stderr.
 */
export class RejectionLog {
  readonly counts: RejectionCounts = noRejections();
  private readonly logged = new Set<RejectionKind>();

  constructor(private readonly who: string) {}

  private record(kind: RejectionKind, detail: string): void {
    this.counts[kind]++;
    this.logOnce(kind, detail);
  }

  /** Counts a message refused because reading it threw `error`; returns `kind: reason` for an answer. */
  recordRefusal(error: unknown): string {
    const kind = error instanceof ProtocolError ? error.kind : 'malformed';
    const reason = error instanceof Error ? error.message : String(error);
    this.record(kind, reason);
    return `${kind}: ${reason}`;
  }

  /** Logs (once per kind) the messages `bus` refused to decode; the bus counts those itself. */
  followBus(bus: Bus): void {
    let before = bus.stats().rejected;
    bus.onWarning?.((warning) => {
      if (warning.kind !== 'rejected-message') return;
      const after = bus.stats().rejected;
      for (const kind of Object.keys(after) as RejectionKind[]) {
        if (after[kind] > before[kind]) this.logOnce(kind, warning.detail ?? 'undecodable');
      }
      before = after;
    });
  }

  private logOnce(kind: RejectionKind, detail: string): void {
    if (this.logged.has(kind)) return;
    this.logged.add(kind);
    console.error(`${this.who}: refused a ${kind} message (${detail}); later ${kind} messages are only counted`);
  }
}

export function addRejections(a: RejectionCounts, b: RejectionCounts): RejectionCounts {
  const sum = noRejections();
  for (const kind of Object.keys(sum) as RejectionKind[]) sum[kind] = a[kind] + b[kind];
  return sum;
}
