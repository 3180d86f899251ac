import { emitReportingThrow } from './detached-emit';
import { type Emitted, Stream } from '../../stream';

/**
 * A node that passes elements downstream one at a time: while the downstream works on one
 * asynchronously, later elements wait in whatever the subclass keeps (a queue, the newest one).
 * A downstream failure goes to `errors` and the next waiting element follows.
 *
 * Subclasses implement `keep(x)` for an element that arrives while another is on its way, calling
 * `holdStarted()` for each element they will hand back through `takeWaiting`; the relay ends that
 * hold once the element has been passed on.
 */
export abstract class SerialRelay<T> extends Stream<T> {
  private relaying = false;
  /** The element the downstream is taking asynchronously. */
  private current: unknown = undefined;

  override update(x: T): Emitted {
    if (this.relaying) return this.keep(x);
    this.relaying = true;
    this.pass(x, false);
    return undefined;
  }

  /** Keeps `x` while another element is on its way; a returned promise makes the `emit` wait. */
  protected abstract keep(x: T): Emitted;

  /** Whether an element is waiting; `takeWaiting` is called only when this is true. */
  protected abstract hasWaiting(): boolean;

  protected abstract takeWaiting(): unknown;

  /** Passes `x` on now, then every waiting element until the downstream answers asynchronously. */
  private pass(x: unknown, held: boolean): void {
    for (;;) {
      const pending = emitReportingThrow(this, x as T);
      if (pending !== undefined) {
        if (!held) this.holdStarted();
        this.current = x;
        void pending.then(this.passed, this.failed);
        return;
      }
      if (held) this.holdEnded();
      if (!this.hasWaiting()) {
        this.relaying = false;
        return;
      }
      x = this.takeWaiting();
      held = true;
    }
  }

  private readonly failed = (error: unknown): void => {
    this.reportError(this.current, error);
    this.passed();
  };

  private readonly passed = (): void => {
    this.current = undefined;
    this.holdEnded();
    if (this.hasWaiting()) this.pass(this.takeWaiting(), true);
    else this.relaying = false;
  };
}
