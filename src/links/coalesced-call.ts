/**
 * Calls `run` once, soon, however often it is requested before then: `defer` picks how soon
 * (`queueMicrotask`: after what is being read now; `setImmediate`: at the end of the turn).
 */
export class CoalescedCall {
  private requested = false;

  constructor(
    private readonly run: () => void,
    private readonly defer: (callback: () => void) => void,
  ) {}

  request(): void {
    if (this.requested) return;
    this.requested = true;
    this.defer(this.fire);
  }

  private readonly fire = (): void => {
    this.requested = false;
    this.run();
  };
}
