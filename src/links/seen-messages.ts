/**
 * The messages a link consumer received lately, by producer id and sequence, so a message sent
 * again (its producer took it for lost) is dropped when it reaches a consumer that already has
 * it. Memory is bounded: the newest `perProducer` sequences of the newest `producers` producers.
 */
class RecentSequences {
  private readonly members = new Set<number>();
  private readonly ring: number[];
  private next = 0;

  constructor(capacity: number) {
    this.ring = new Array<number>(capacity).fill(0);
  }

  has(seq: number): boolean {
    return this.members.has(seq);
  }

  add(seq: number): void {
    const evicted = this.ring[this.next];
    if (evicted !== 0) this.members.delete(evicted);
    this.ring[this.next] = seq;
    this.next = (this.next + 1) % this.ring.length;
    this.members.add(seq);
  }
}

export class SeenMessages {
  private readonly byProducer = new Map<string, RecentSequences>();
  private lastProducer = '';
  private lastSequences: RecentSequences | undefined = undefined;

  constructor(
    private readonly perProducer: number,
    private readonly producers = 64,
  ) {}

  /** Records the message; returns `false` when it was seen before (a duplicate). */
  admit(producer: string, seq: number): boolean {
    const sequences = this.sequencesOf(producer);
    if (sequences.has(seq)) return false;
    sequences.add(seq);
    return true;
  }

  private sequencesOf(producer: string): RecentSequences {
    if (producer === this.lastProducer && this.lastSequences !== undefined) return this.lastSequences;
    let sequences = this.byProducer.get(producer);
    if (sequences === undefined) {
      if (this.byProducer.size >= this.producers) this.byProducer.delete(this.byProducer.keys().next().value as string);
      // the evicted one may be the cached producer: the cache is replaced below
      sequences = new RecentSequences(this.perProducer);
      this.byProducer.set(producer, sequences);
    }
    this.lastProducer = producer;
    this.lastSequences = sequences;
    return sequences;
  }
}
