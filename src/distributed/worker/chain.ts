/**
 * Runs a fused task chain on one element, on a worker. A chain is what a run of distributed
 * operators between `scatter()` and `gather()` compiles to; each element yields zero or more
 * values (`filter` drops, `flatten` expands) and the new state of each `accumulate` step.
 */
import { isPromiseLike } from '../../util/promise';
import type { StepSpec, StepState } from '../protocol';
import { taskNamed } from '../tasks';

type Callable = (...args: unknown[]) => unknown;

export class UnknownTaskError extends Error {
  override readonly name = 'UnknownTaskError';
}

/** An attempt that ran longer than its task policy's `timeout`. */
export class TaskTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

export interface ChainOutput {
  values: unknown[];
  states: StepState[] | undefined;
}

/** Resolves each step's function: by registered name, or (embedded only) the function carried in process. */
export function resolveStep(step: StepSpec, allowLocalFunctions: boolean): Callable | undefined {
  if (allowLocalFunctions && step.fn !== undefined) return step.fn as Callable;
  if (step.task === undefined) return undefined;
  const fn = taskNamed(step.task);
  if (fn === undefined) throw new UnknownTaskError(`task '${step.task}' is not registered on this worker (check its --tasks module)`);
  return fn as Callable;
}

/** The name errors report for a step. */
export function stepLabel(step: StepSpec): string {
  return step.task ?? (step.fn as Callable | undefined)?.name ?? step.op;
}

export class StepFailure extends Error {
  constructor(
    readonly step: StepSpec,
    readonly original: unknown,
  ) {
    super(original instanceof Error ? original.message : String(original));
  }
}

export async function runChain(chain: readonly StepSpec[], value: unknown, states: readonly StepState[] | undefined, allowLocalFunctions: boolean): Promise<ChainOutput> {
  let values: unknown[] = [value];
  const nextStates = states === undefined ? undefined : [...states];
  let stateIndex = 0;
  for (const step of chain) {
    try {
      const fn = resolveStep(step, allowLocalFunctions);
      if (step.op === 'accumulate') {
        values = await accumulateAll(fn as Callable, step, values, nextStates as StepState[], stateIndex++);
      } else {
        values = await applyStep(step, fn, values);
      }
    } catch (error) {
      throw new StepFailure(step, error);
    }
  }
  return { values, states: nextStates };
}

async function applyStep(step: StepSpec, fn: Callable | undefined, values: unknown[]): Promise<unknown[]> {
  const extra = (step.args ?? []) as unknown[];
  const out: unknown[] = [];
  // Results are awaited only when they are promises: a synchronous task costs no Promise per value.
  for (const x of values) {
    let result: unknown;
    switch (step.op) {
      case 'map':
        result = (fn as Callable)(x, ...extra);
        out.push(isPromiseLike(result) ? await result : result);
        break;
      case 'starmap':
        result = (fn as Callable)(...(x as unknown[]), ...extra);
        out.push(isPromiseLike(result) ? await result : result);
        break;
      case 'filter':
        if (fn === undefined) result = x;
        else if (isPromiseLike((result = fn(x, ...extra)))) result = await result;
        if (result) out.push(x);
        break;
      case 'pluck':
        out.push(pluck(x, step.key));
        break;
      case 'flatten':
        for (const item of x as Iterable<unknown>) out.push(item);
        break;
      default:
        throw new Error(`step '${step.op}' cannot run here`);
    }
  }
  return out;
}

function pluckOne(x: unknown, key: unknown): unknown {
  const container = x as Record<PropertyKey, unknown>;
  if (container === null || typeof container !== 'object' || !((key as PropertyKey) in container)) {
    throw new RangeError(`pluck: key ${String(key)} is missing`);
  }
  return container[key as PropertyKey];
}

function pluck(x: unknown, key: unknown): unknown {
  return Array.isArray(key) ? key.map((k) => pluckOne(x, k)) : pluckOne(x, key);
}

async function accumulateAll(fn: Callable, step: StepSpec, values: unknown[], states: StepState[], index: number): Promise<unknown[]> {
  let { hasState, acc } = states[index];
  const out: unknown[] = [];
  for (const x of values) {
    if (!hasState) {
      hasState = true;
      acc = x;
      out.push(step.withState ? [x, x] : x);
      continue;
    }
    let next = fn(acc, x);
    if (isPromiseLike(next)) next = await next;
    let result: unknown;
    if (step.returnsState) [acc, result] = next as [unknown, unknown];
    else acc = result = next;
    out.push(step.withState ? [acc, result] : result);
  }
  states[index] = { hasState, acc };
  return out;
}
