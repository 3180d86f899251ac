import { describeValue } from '../errors';
import { Stream, type Emitted, type StreamOptions } from '../stream';
import { requireOptions } from '../validate';

export interface FrequenciesOptions extends StreamOptions {
  /** Emit a `Map` keyed by the elements themselves instead of a plain object. */
  map?: boolean;
}

declare module '../stream' {
  interface Stream<T> {
    /**
     * The running count of each element, emitted after every element as a NEW plain object
     * (streamz's dict): 'a', 'b', 'a' emits `{a: 1}`, `{a: 1, b: 1}`, `{a: 2, b: 1}`.
     *
     * Keys follow JavaScript object keys: elements must be primitives and count under their
     * property key, so `1` and `'1'` share a count (symbols stay symbols). An object element
     * throws a TypeError; use `frequencies({ map: true })`, which emits a NEW `Map` each time,
     * keyed by the elements themselves compared as `Map` keys (objects by identity).
     */
    frequencies(options?: FrequenciesOptions & { map?: false }): Stream<Record<PropertyKey, number>>;
    frequencies(options: FrequenciesOptions & { map: true }): Stream<Map<T, number>>;
  }
}

type Counts = Record<PropertyKey, number>;

export class Frequencies<T> extends Stream<Counts | Map<T, number>> {
  private counts: Counts = {};
  private countsByElement = new Map<T, number>();
  private readonly asMap: boolean;

  constructor(upstream: Stream<T>, options: FrequenciesOptions = {}) {
    requireOptions(options);
    super(options, [upstream]);
    this.asMap = options.map ?? false;
  }

  override get kind(): string {
    return 'frequencies';
  }

  override update(x: T): Emitted {
    if (this.asMap) {
      const counts = new Map(this.countsByElement);
      counts.set(x, (counts.get(x) ?? 0) + 1);
      this.countsByElement = counts;
      return this.emit(counts);
    }
    const key = propertyKeyOf(x);
    const last = this.counts;
    // A computed key makes an own property even for '__proto__'.
    const counts = { ...last, [key]: (Object.hasOwn(last, key) ? last[key] : 0) + 1 };
    this.counts = counts;
    return this.emit(counts);
  }
}

function propertyKeyOf(x: unknown): PropertyKey {
  if (typeof x === 'symbol') return x;
  if (x !== null && (typeof x === 'object' || typeof x === 'function')) {
    throw new TypeError(`frequencies counts primitive elements, got ${describeValue(x)}; use frequencies({ map: true }) for objects`);
  }
  return String(x);
}

Stream.registerApi('frequencies', (upstream, options?: FrequenciesOptions) => new Frequencies(upstream, options));
