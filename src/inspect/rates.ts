/**
 * A per-second rate of a growing count, over the samples of the last `window` ms. Averaging over a
 * window rather than between two samples keeps counts that move in steps (workers report theirs once
 * per heartbeat) from drawing a sawtooth.
 */
export class RateWindow {
  private readonly times: number[] = [];
  private readonly values: number[] = [];

  /** Adds the count at `time` (ms); returns the rate over the newest samples spanning at least `window` ms (0 for the first). */
  add(time: number, value: number, window: number): number {
    this.times.push(time);
    this.values.push(value);
    while (this.times.length > 2 && time - this.times[1] >= window) {
      this.times.shift();
      this.values.shift();
    }
    const span = time - this.times[0];
    return span > 0 ? ((value - this.values[0]) * 1000) / span : 0;
  }
}
