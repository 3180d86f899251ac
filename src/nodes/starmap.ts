import { Stream } from '../stream';
import { requireFunction } from '../validate';
import { MapNode } from './map';

declare module '../stream' {
  interface Stream<T> {
    /** `x` is an array: emits `fn(...x, ...args)`; a returned Promise is awaited, results keep input order. */
    starmap<R, A extends unknown[] = []>(fn: (...xAndArgs: [...(T extends readonly unknown[] ? T : unknown[]), ...A]) => R, ...args: A): Stream<Awaited<R>>;
  }
}

type Spreadable = (...xAndArgs: unknown[]) => unknown;

/** `map` over the spread element, so async results and ordering behave exactly like `map`. */
export class StarmapNode<Out> extends MapNode<unknown[], Out> {
  private readonly spreadFn: Spreadable;

  constructor(upstream: Stream<unknown[]>, fn: Spreadable, args: unknown[]) {
    requireFunction('fn', fn);
    super(upstream, args.length === 0 ? (x) => fn(...x) : (x) => fn(...x, ...args), []);
    this.spreadFn = fn;
  }

  override get kind(): string {
    return 'starmap';
  }

  protected override describe(): string | undefined {
    return this.spreadFn.name || undefined;
  }
}

Stream.registerApi('starmap', (upstream, fn: Spreadable, ...args: unknown[]) => new StarmapNode(upstream as Stream<unknown[]>, fn, args));
