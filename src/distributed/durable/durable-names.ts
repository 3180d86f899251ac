/**
 * Where a durable segment lives in JetStream: a task stream and a result stream per segment name
 * (and pool), the workers' durable pull consumer on the first and the gather's on the second. The
 * task stream's description says which prefix, pool and segment it serves: workers find the
 * segments of their pool by listing streams, so they work on stored tasks while no client runs.
 */
import { ArgumentTypeError } from '../../errors';
import type { Subjects } from '../subjects';

/** A segment name: one literal NATS token that is a JetStream name too. */
const DURABLE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Characters a JetStream stream name may not contain (everything else of the prefix and pool is kept). */
const NOT_IN_STREAM_NAME = /[^A-Za-z0-9_-]/g;
/** What the task stream's description starts with. */
const MARK = 'rivulet durable segment ';
export const WORKERS_CONSUMER = 'workers';
export const GATHER_CONSUMER = 'gather';

export function requireDurableName(value: unknown): string {
  if (typeof value !== 'string' || !DURABLE_NAME.test(value)) throw new ArgumentTypeError('durable', 'a segment name of letters, digits, - and _ (at most 64)', value);
  return value;
}

export interface DurableNames {
  readonly durable: string;
  readonly prefix: string;
  readonly pool: string;
  readonly taskStream: string;
  readonly resultStream: string;
  readonly taskSubject: string;
  readonly resultSubject: string;
  /** The task stream's description: how workers recognise a segment of their pool. */
  readonly description: string;
}

export function durableNames(subjects: Subjects, durable: string): DurableNames {
  const { prefix, pool } = subjects;
  const base = `RIVULET_${prefix.replace(NOT_IN_STREAM_NAME, '_')}_${pool.replace(NOT_IN_STREAM_NAME, '_')}_${durable}`;
  const subject = `${prefix}.durable.${pool}.${durable}`;
  return {
    durable,
    prefix,
    pool,
    taskStream: `${base}_TASKS`,
    resultStream: `${base}_RESULTS`,
    taskSubject: `${subject}.tasks`,
    resultSubject: `${subject}.results`,
    description: `${MARK}${JSON.stringify({ prefix, pool, durable })}`,
  };
}

/** Where clients say a durable segment opened: workers look for new task streams at once. */
export function announceSubject(subjects: Subjects): string {
  return `${subjects.prefix}.durable.${subjects.pool}.announce`;
}

/** The segment a task stream serves, when its description is one of ours for this prefix and pool. */
export function segmentOfStream(subjects: Subjects, description: string | undefined): DurableNames | undefined {
  if (description === undefined || !description.startsWith(MARK)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(description.slice(MARK.length));
  } catch {
    return undefined;
  }
  const { prefix, pool, durable } = (parsed ?? {}) as Record<string, unknown>;
  if (prefix !== subjects.prefix || pool !== subjects.pool || typeof durable !== 'string' || !DURABLE_NAME.test(durable)) return undefined;
  return durableNames(subjects, durable);
}
