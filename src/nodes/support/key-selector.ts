import { ArgumentTypeError, describeValue } from '../../errors';

/** How an operator finds an element's key: a function of the element, or a property name / index. */
export type KeySelector<T> = ((x: T) => unknown) | PropertyKey;

/** Thrown when an element lacks the property or index an operator was told to read. */
export class MissingKeyError extends RangeError {
  override readonly name = 'MissingKeyError';
  constructor(
    readonly key: PropertyKey,
    readonly element: unknown,
  ) {
    super(`key ${describeValue(typeof key === 'symbol' ? String(key) : key)} is missing in ${describeValue(element)}`);
  }
}

export function isPropertyKey(value: unknown): value is PropertyKey {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'symbol';
}

/** `x[key]`; throws a MissingKeyError when `x` has no such property or index. */
export function pickKey(x: unknown, key: PropertyKey): unknown {
  if (x === null || x === undefined) throw new MissingKeyError(key, x);
  if (x instanceof Map) {
    if (!x.has(key)) throw new MissingKeyError(key, x);
    return x.get(key);
  }
  const target = Object(x) as Record<PropertyKey, unknown>;
  if (!(key in target)) throw new MissingKeyError(key, x);
  return target[key];
}

export function identity(x: unknown): unknown {
  return x;
}

/**
 * The key function for a `key` option: the function itself, `x => x[key]` for a property name or
 * index, identity when absent. Throws an ArgumentTypeError naming `argument` otherwise.
 */
export function keyFunction(argument: string, key: unknown): (x: unknown) => unknown {
  if (key === undefined || key === null) return identity;
  if (typeof key === 'function') return key as (x: unknown) => unknown;
  if (isPropertyKey(key)) return (x) => pickKey(x, key);
  throw new ArgumentTypeError(argument, 'a function, a property name or an index', key);
}
