/**
 * What a durable segment stores: one task message per element in the task stream (its stream
 * sequence is the element's sequence) and one result message per task in the result stream.
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

/** A task's outcome; `seq` is the task's stream sequence. */
export interface DurableResult {
  readonly v: number;
  readonly worker: string;
  readonly result: WireResult;
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

export function readDurableResult(value: unknown): DurableResult {
  const result = checkEnvelope(value, 'durable result');
  if (typeof result.worker !== 'string' || !isResult(result.result)) throw new ProtocolError('malformed durable result');
  return result as unknown as DurableResult;
}
