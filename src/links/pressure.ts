/**
 * A yes/no fact a link reports to its actor, such as "out of credits": raised at once, lowered
 * only at a heartbeat tick where it no longer holds. A link that runs out of credits every few
 * messages therefore changes its actor's state at most twice per tick, never once per message.
 */
export class Pressure {
  private raised = false;

  constructor(private readonly tell: (raised: boolean) => void) {}

  raise(): void {
    if (this.raised) return;
    this.raised = true;
    this.tell(true);
  }

  /** At a tick: lowers the fact unless it still `holds`. */
  settle(holds: boolean): void {
    if (!this.raised || holds) return;
    this.raised = false;
    this.tell(false);
  }
}
