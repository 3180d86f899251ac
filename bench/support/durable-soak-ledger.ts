/**
 * What the durable soak checks, fed with the pipeline processes' stdout lines (see
 * durable-soak-pipeline.ts): every id whose emit resolved is delivered; a sequence delivered again
 * is flagged `repeat` and at most the buffer's worth of them follow each crash; first deliveries
 * come in sequence order; an id stored twice under two sequences happens at most once per crash:
 * the emit the SIGKILL cut (its task stored, the emit not resolved or not yet reported), which the
 * next run emits again.
 */

/** The pipeline's `buffer(n)`: at most this many repeats per crash. */
export const DURABLE_SOAK_BUFFER = 16;

/** A growable byte per id. */
class IdBytes {
  private bytes = new Uint8Array(1 << 16);

  get(id: number): number {
    return id < this.bytes.length ? this.bytes[id] : 0;
  }

  bump(id: number): void {
    if (id >= this.bytes.length) {
      let size = this.bytes.length;
      while (size <= id) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    if (this.bytes[id] < 255) this.bytes[id]++;
  }
}

export interface DurableSoakTally {
  stored: number;
  delivered: number;
  repeats: number;
  unflaggedRepeats: number;
  flagged: number;
  maxRepeatsAfterOneCrash: number;
  reEmitted: number;
  outOfOrder: number;
  lost: number;
  wrong: number;
}

export class DurableSoakLedger {
  private readonly stored = new IdBytes();
  private readonly deliveries = new IdBytes();
  private readonly seqs = new Set<number>();
  private storedCount = 0;
  /** The highest id whose emit resolved (-1: none yet). */
  lastStored = -1;
  delivered = 0;
  private repeats = 0;
  private unflaggedRepeats = 0;
  private flagged = 0;
  private repeatsThisRun = 0;
  private maxRepeatsAfterOneCrash = 0;
  private reEmitted = 0;
  private outOfOrder = 0;
  private wrong = 0;
  private lastSeq = 0;

  /** A pipeline process started (the first, or one after a crash): repeats count per run. */
  newRun(): void {
    this.repeatsThisRun = 0;
  }

  /** One stdout line of a pipeline process; other lines are ignored. */
  line(text: string): void {
    const [kind, ...numbers] = text.split(' ');
    if (kind === 's' && numbers.length === 1) this.recordStored(Number(numbers[0]));
    else if (kind === 'd' && numbers.length === 3) this.recordDelivery(Number(numbers[0]), Number(numbers[1]), numbers[2] === '1');
  }

  private recordStored(id: number): void {
    if (!Number.isInteger(id) || id < 0) return void this.wrong++;
    this.stored.bump(id);
    this.storedCount++;
    this.lastStored = Math.max(this.lastStored, id);
  }

  private recordDelivery(id: number, seq: number, repeat: boolean): void {
    if (!Number.isInteger(id) || id < 0 || !Number.isInteger(seq) || seq <= 0) return void this.wrong++;
    this.delivered++;
    if (repeat) this.flagged++;
    if (this.seqs.has(seq)) {
      this.repeats++;
      if (!repeat) this.unflaggedRepeats++;
      this.maxRepeatsAfterOneCrash = Math.max(this.maxRepeatsAfterOneCrash, ++this.repeatsThisRun);
      return;
    }
    this.seqs.add(seq);
    if (seq < this.lastSeq) this.outOfOrder++;
    this.lastSeq = seq;
    if (this.deliveries.get(id) > 0) this.reEmitted++;
    this.deliveries.bump(id);
  }

  tally(): DurableSoakTally {
    let lost = 0;
    for (let id = 0; id <= this.lastStored; id++) if (this.stored.get(id) > 0 && this.deliveries.get(id) === 0) lost++;
    return {
      stored: this.storedCount,
      delivered: this.delivered,
      repeats: this.repeats,
      unflaggedRepeats: this.unflaggedRepeats,
      flagged: this.flagged,
      maxRepeatsAfterOneCrash: this.maxRepeatsAfterOneCrash,
      reEmitted: this.reEmitted,
      outOfOrder: this.outOfOrder,
      lost,
      wrong: this.wrong,
    };
  }
}
