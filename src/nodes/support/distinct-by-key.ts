import { ArgumentRangeError, ArgumentTypeError } from '../../errors';

/** Which element a group of distinct keys keeps when a key repeats. */
export type Keep = 'first' | 'last';

export function requireKeep(argument: string, value: unknown): Keep {
  if (value === undefined) return 'first';
  if (typeof value !== 'string') throw new ArgumentTypeError(argument, "'first' or 'last'", value);
  if (value !== 'first' && value !== 'last') throw new ArgumentRangeError(argument, "'first' or 'last'", value);
  return value;
}

/**
 * One element per distinct key, in key order of arrival (streamz's insertion-ordered dict):
 * `keep: 'first'` ignores repeats, `keep: 'last'` replaces the element and moves its key last.
 */
export class DistinctByKey {
  private readonly elements = new Map<unknown, unknown>();

  constructor(
    private readonly keyOf: (x: unknown) => unknown,
    private readonly keep: Keep,
  ) {}

  get size(): number {
    return this.elements.size;
  }

  add(x: unknown): void {
    const key = this.keyOf(x);
    if (this.keep === 'last') this.elements.delete(key);
    else if (this.elements.has(key)) return;
    this.elements.set(key, x);
  }

  /** The kept elements, oldest key first; empties the group. */
  take(): unknown[] {
    const values = [...this.elements.values()];
    this.elements.clear();
    return values;
  }
}
