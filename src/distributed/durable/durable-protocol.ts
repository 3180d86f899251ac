/**
 * What a durable segment stores: one task message per element in the task stream (its stream
 * sequence is the element's sequence) and, in the result stream, result messages each carrying
 * the results of one or more tasks (those a worker finished while its previous store was out).
 * Both are read through guards, like every message of the core protocol.
 */
import type { ResolvedPolicy } from '../task-policy';
import { checkEnvelope, isResult, isStep, ProtocolError, PROTOCOL_VERSION, type StepSpec, type WireResult } from '../protocol';

export interface DurableTask {
  readonly v: number;
  readonly chain: readonly StepSpec[];
  /** Attempts after the first for an element whose task failed; then it is dropped (`term`). */
  readonly retries: number;
  /** Milliseconds before the first retry; doubles for each later one. */
  readonly backoff: number;
  /** Milliseconds an attempt may run before it counts as failed. */
  readonly timeout?: number;
  readonly value: unknown;
}

/** Tasks' outcomes, in task order; each `seq` is its task's stream sequence. */
export interface DurableResults {
  readonly v: number;
  readonly worker: string;
  readonly results: readonly WireResult[];
  /** Tasks whose lease may have run out before their result was stored: another attempt may store one too. */
  readonly late?: readonly number[];
}

/** What the gather reads of a result message. */
export interface ReadResults {
  readonly results: readonly WireResult[];
  readonly late: ReadonlySet<number>;
}

export function durableTask(chain: readonly StepSpec[], policy: ResolvedPolicy, value: unknown): DurableTask {
  const { retries, backoff, timeout } = policy;
  return { v: PROTOCOL_VERSION, chain, retries, backoff, ...(timeout === undefined ? {} : { timeout }), value };
}

export function readDurableTask(value: unknown): DurableTask {
  const task = checkEnvelope(value, 'durable task');
  if (!Array.isArray(task.chain) || !task.chain.every(isStep)) throw new ProtocolError('malformed durable task: bad chain');
  if (!Number.isInteger(task.retries) || (task.retries as number) < 0) throw new ProtocolError('malformed durable task: bad retries');
  if (typeof task.backoff !== 'number' || !(task.backoff >= 0)) throw new ProtocolError('malformed durable task: bad backoff');
  if (task.timeout !== undefined && !(typeof task.timeout === 'number' && task.timeout > 0 && Number.isFinite(task.timeout))) throw new ProtocolError('malformed durable task: bad timeout');
  return task as unknown as DurableTask;
}

/** The results a stored message carries (a message of a worker before batching carries one, as `result`). */
export function readDurableResults(value: unknown): ReadResults {
  const stored = checkEnvelope(value, 'durable result');
  if (typeof stored.worker !== 'string') throw new ProtocolError('malformed durable result: bad worker');
  const results = stored.results ?? [stored.result];
  if (!Array.isArray(results) || results.length === 0 || !results.every(isResult)) throw new ProtocolError('malformed durable result: bad results');
  const late = stored.late ?? [];
  if (!Array.isArray(late) || !late.every(Number.isInteger)) throw new ProtocolError('malformed durable result: bad late');
  return { results: results as WireResult[], late: new Set(late as number[]) };
}
