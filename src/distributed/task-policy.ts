/**
 * A distributed task's failure policy, set with `map(fn, { retries, backoff, timeout })`.
 * Retries live on the scatter side (a failed or timed-out attempt is sent again, possibly to
 * another worker); the timeout travels with the task and the worker enforces it.
 */
import { requireInterval, requireNonNegativeInteger, requirePositiveInteger } from '../validate';

export interface TaskPolicy {
  /** Attempts after the first one for an element whose task failed or timed out (default 0). */
  retries?: number;
  /** Milliseconds before the first retry; doubles for each later one (default 0). */
  backoff?: number;
  /** Milliseconds an attempt may run before it counts as failed (default: no limit). */
  timeout?: number;
}

export interface ResolvedPolicy {
  readonly retries: number;
  readonly backoff: number;
  readonly timeout: number | undefined;
}

export const NO_POLICY: ResolvedPolicy = { retries: 0, backoff: 0, timeout: undefined };

const POLICY_KEYS: ReadonlySet<string> = new Set(['retries', 'backoff', 'timeout']);

/** A plain object whose keys are all policy keys: `map(fn, { retries: 2 })` rather than an extra argument. */
function isPolicy(value: unknown): value is TaskPolicy {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => POLICY_KEYS.has(key));
}

function resolvePolicy(policy: TaskPolicy): ResolvedPolicy {
  return {
    retries: requireNonNegativeInteger('retries', policy.retries ?? 0),
    backoff: requireInterval('backoff', policy.backoff ?? 0),
    timeout: policy.timeout === undefined ? undefined : requirePositiveInteger('timeout', policy.timeout),
  };
}

/** Splits a task operator's extra arguments: a trailing policy object, and the arguments for `fn`. */
export function splitPolicy(args: readonly unknown[]): { args: unknown[]; policy: ResolvedPolicy | undefined } {
  const last = args[args.length - 1];
  if (!isPolicy(last)) return { args: [...args], policy: undefined };
  return { args: args.slice(0, -1), policy: resolvePolicy(last) };
}

/** A fused task carries the policies of all its steps: the largest of each value applies. */
export function combinePolicies(policies: readonly (ResolvedPolicy | undefined)[]): ResolvedPolicy {
  let combined = NO_POLICY;
  for (const policy of policies) {
    if (policy === undefined) continue;
    const timeout = policy.timeout === undefined ? combined.timeout : Math.max(policy.timeout, combined.timeout ?? 0);
    combined = { retries: Math.max(combined.retries, policy.retries), backoff: Math.max(combined.backoff, policy.backoff), timeout };
  }
  return combined;
}

/** Exponential: `backoff`, then twice that, four times, ... before retry 1, 2, 3, ... */
export function retryDelay(policy: ResolvedPolicy, retry: number): number {
  return policy.backoff * 2 ** (retry - 1);
}
