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
