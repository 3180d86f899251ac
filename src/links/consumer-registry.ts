/**
 * A producer's view of a link's consumers, built from their status announcements: who is alive,
 * how many credits they grant together (the most messages the producer keeps unacknowledged),
 * and how long a message may go unclaimed before it counts as lost.
 */
import type { ConsumerStatus } from './link-protocol';

/** Status intervals a consumer may miss before it counts as gone. */
export const MISSED_INTERVALS = 3;

interface KnownConsumer {
  credits: number;
  interval: number;
  lastHeard: number;
}

export class ConsumerRegistry {
  private readonly known = new Map<string, KnownConsumer>();
  private creditTotal = 0;
  private longestInterval = 0;

  /** @param ownInterval the producer's own check interval, the floor for every timeout */
  constructor(private readonly ownInterval: number) {}

  /** Credits of all live consumers together. */
  get credits(): number {
    return this.creditTotal;
  }

  get size(): number {
    return this.known.size;
  }

  /** Milliseconds after which a message no live consumer claimed is lost. */
  get claimTimeout(): number {
    return MISSED_INTERVALS * Math.max(this.ownInterval, this.longestInterval);
  }

  /** Records a status; a leaving consumer is forgotten at once. */
  heard(status: ConsumerStatus, now: number): void {
    if (status.leaving === true) {
      if (this.known.delete(status.id)) this.recount();
      return;
    }
    const consumer = this.known.get(status.id);
    if (consumer === undefined) {
      this.known.set(status.id, { credits: status.credits, interval: status.interval, lastHeard: now });
      this.recount();
    } else {
      consumer.lastHeard = now;
      if (consumer.credits !== status.credits || consumer.interval !== status.interval) {
        consumer.credits = status.credits;
        consumer.interval = status.interval;
        this.recount();
      }
    }
  }

  /** Forgets consumers silent for `MISSED_INTERVALS` of their intervals; returns whether any went. */
  expire(now: number): boolean {
    let removed = false;
    for (const [id, consumer] of this.known) {
      if (now - consumer.lastHeard > MISSED_INTERVALS * consumer.interval) {
        this.known.delete(id);
        removed = true;
      }
    }
    if (removed) this.recount();
    return removed;
  }

  private recount(): void {
    this.creditTotal = 0;
    this.longestInterval = 0;
    for (const consumer of this.known.values()) {
      this.creditTotal += consumer.credits;
      this.longestInterval = Math.max(this.longestInterval, consumer.interval);
    }
  }
}
