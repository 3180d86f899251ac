import { ArgumentRangeError, ArgumentTypeError } from './errors';

export type AnyFunction = (...args: never[]) => unknown;

export function requireFunction<F extends AnyFunction>(argument: string, value: F): F {
  if (typeof value !== 'function') throw new ArgumentTypeError(argument, 'a function', value);
  return value;
}

/** An options object (the trailing argument most operators take). */
export function requireOptions<O extends object>(value: O, argument = 'options'): O {
  if (value === null || typeof value !== 'object') throw new ArgumentTypeError(argument, 'an object', value);
  return value;
}

export function requireNumber(argument: string, value: number): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new ArgumentTypeError(argument, 'a number', value);
  return value;
}

function requireIntegerAtLeast(argument: string, value: number, minimum: number): number {
  requireNumber(argument, value);
  if (!Number.isInteger(value) || value < minimum) throw new ArgumentRangeError(argument, `an integer >= ${minimum}`, value);
  return value;
}

/** An integer >= 1, e.g. a partition or window size. */
export function requirePositiveInteger(argument: string, value: number): number {
  return requireIntegerAtLeast(argument, value, 1);
}

/** An integer >= 0, e.g. a slice bound. */
export function requireNonNegativeInteger(argument: string, value: number): number {
  return requireIntegerAtLeast(argument, value, 0);
}

/** A time interval in milliseconds: a finite number >= 0. */
export function requireInterval(argument: string, value: number): number {
  requireNumber(argument, value);
  if (!Number.isFinite(value) || value < 0) throw new ArgumentRangeError(argument, 'a finite number of milliseconds >= 0', value);
  return value;
}

/** A TCP port: an integer from 0 (any free port) to 65535. */
export function requirePort(argument: string, value: number): number {
  requireNonNegativeInteger(argument, value);
  if (value > 65535) throw new ArgumentRangeError(argument, 'a port from 0 to 65535', value);
  return value;
}

/**
 * Throws an `ArgumentRangeError` naming the first option of `options` that is not in `known`
 * (a misspelling, usually), with the nearest known name as a hint.
 */
export function requireKnownOptions(owner: string, options: object, known: ReadonlySet<string>): void {
  for (const name of Object.keys(options)) {
    if (known.has(name)) continue;
    const nearest = nearestName(name, known);
    const hint = nearest === undefined ? '' : ` (did you mean '${nearest}'?)`;
    const message = `${owner} has no option '${name}'${hint}; its options are ${[...known].join(', ')}`;
    throw new ArgumentRangeError(name, 'a known option', (options as Record<string, unknown>)[name], message);
  }
}

const MAX_TYPOS = 2;

function nearestName(name: string, known: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = MAX_TYPOS + 1;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
