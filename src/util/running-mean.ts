/** An exponentially weighted running mean: recent samples count most, old ones fade out. */
export class RunningMean {
  private mean: number | undefined = undefined;

  /** `weight`: the share of each new sample, in (0, 1]. */
  constructor(private readonly weight = 0.1) {}

  /** The mean so far; `undefined` before the first sample. */
  get value(): number | undefined {
    return this.mean;
  }

  add(sample: number): void {
    this.mean = this.mean === undefined ? sample : this.mean + this.weight * (sample - this.mean);
  }
}
