/**
 * Reports a level (a state a user sees) busier at once and calmer only once it held for a turn of
 * the event loop (or for `calmAfter` ms). A producer that emits and waits, or a downstream that
 * pushes back on every element, would otherwise flip an actor's state (two events) once per element.
 */
export class CalmingReport<L extends string> {
  private reported: L;
  private pending: NodeJS.Immediate | NodeJS.Timeout | undefined = undefined;

  constructor(
    initial: L,
    private readonly busyness: Readonly<Record<L, number>>,
    private readonly current: () => L,
    private readonly tell: (from: L, to: L) => void,
    /** Milliseconds a calmer level must hold before it is told; 0: one turn of the event loop. */
    private readonly calmAfter = 0,
  ) {
    this.reported = initial;
  }

  /** The level last told. */
  get level(): L {
    return this.reported;
  }

  /** Call whenever the facts behind `current()` changed. */
  update(): void {
    const now = this.current();
    if (now === this.reported) return;
    if (this.busyness[now] > this.busyness[this.reported]) this.report(now);
    else this.pending ??= this.calmAfter === 0 ? setImmediate(this.settle) : setTimeout(this.settle, this.calmAfter).unref();
  }

  cancel(): void {
    if (this.calmAfter === 0) clearImmediate(this.pending as NodeJS.Immediate | undefined);
    else clearTimeout(this.pending as NodeJS.Timeout | undefined);
    this.pending = undefined;
  }

  private readonly settle = (): void => {
    this.pending = undefined;
    this.report(this.current());
  };

  private report(level: L): void {
    if (level === this.reported) return;
    const from = this.reported;
    this.reported = level;
    this.tell(from, level);
  }
}
