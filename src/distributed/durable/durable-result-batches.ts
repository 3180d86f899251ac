/**
 * How a worker stores the results of one durable segment: one store out at a time, and the
 * results finished meanwhile (or in the same turn) go together in the next message. With fast
 * tasks a message carries many results, so the server stores, delivers and takes acknowledgements
 * for far fewer messages; a slow task's result still goes at once.
 */
import type { WireResult } from '../protocol';

/** A task's result, and whether its lease may have run out before it was stored. */
export interface Finished {
  readonly result: WireResult;
  readonly late: boolean;
}

/** Stores the results (one message); rejects when the server did not store it. */
export type StoreResults = (finished: readonly Finished[]) => Promise<void>;

interface Waiting {
  readonly finished: Finished;
  readonly settle: (stored: boolean) => void;
}

export class ResultBatches {
  private waiting: Waiting[] = [];
  private flushing = false;

  constructor(private readonly store: StoreResults) {}

  /** Resolves `true` once the result is stored, `false` when its message could not be. */
  add(finished: Finished): Promise<boolean> {
    return new Promise((settle) => {
      this.waiting.push({ finished, settle });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing) return;
    this.flushing = true;
    // After this turn: every task finishing in it joins the message.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.waiting.sort((a, b) => a.finished.result.seq - b.finished.result.seq);
    this.waiting = [];
    let stored = true;
    try {
      await this.store(batch.map(({ finished }) => finished));
    } catch {
      stored = false;
    }
    for (const { settle } of batch) settle(stored);
    this.flushing = false;
    if (this.waiting.length > 0) this.schedule();
  }
}
