/**
 * Objects held weakly, in the order they were added. Dead references are swept whenever the set
 * doubled since the last sweep, so adding stays cheap and the set stays small.
 */
export class WeakList<T extends object> {
  private readonly refs = new Set<WeakRef<T>>();
  private sweepAt: number;

  constructor(private readonly firstSweep = 1024) {
    this.sweepAt = firstSweep;
  }

  add(item: T): void {
    this.refs.add(new WeakRef(item));
    if (this.refs.size < this.sweepAt) return;
    this.live();
    this.sweepAt = Math.max(this.firstSweep, this.refs.size * 2);
  }

  /** The items alive now, oldest first. */
  live(): T[] {
    const alive: T[] = [];
    for (const ref of this.refs) {
      const item = ref.deref();
      if (item === undefined) this.refs.delete(ref);
      else alive.push(item);
    }
    return alive;
  }
}
