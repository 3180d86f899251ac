/**
 * The distributed wire protocol: plain objects in a versioned envelope (msgpackr-encoded on NATS,
 * structured-cloned to threads, handed over as they are in process). Every message read off a bus
 * goes through one of the `read*` guards, which reject anything malformed or of another version.
 */
import type { RejectionKind } from './bus';
import { isPublishSubject } from './subject-pattern';

export const PROTOCOL_VERSION = 1;

export type StepOp = 'map' | 'starmap' | 'filter' | 'pluck' | 'flatten' | 'accumulate';

/** One operator of a fused task chain. `task` names a registered function; never code. */
export interface StepSpec {
  readonly op: StepOp;
  readonly task?: string;
  readonly args?: readonly unknown[];
  /** `pluck`: a key or an array of keys. */
  readonly key?: unknown;
  /** `accumulate` flags. */
  readonly returnsState?: boolean;
  readonly withState?: boolean;
  /** Embedded deployment only: the function itself (the in-process bus never serializes). */
  readonly fn?: (...args: never[]) => unknown;
}

/** The state an `accumulate` step carries from one element's task to the next. */
export interface StepState {
  readonly hasState: boolean;
  readonly acc: unknown;
}

export interface WireTask {
  readonly seq: number;
  readonly attempt: number;
  readonly value: unknown;
  /** One entry per `accumulate` step of the chain, in chain order. */
  readonly states?: readonly StepState[];
}

/** Several tasks of one pipeline segment sharing one chain: one message when scatter is saturated. */
export interface TaskBatch {
  readonly v: number;
  readonly pipeline: string;
  /** Where the worker publishes results. */
  readonly reply: string;
  readonly chain: readonly StepSpec[];
  /** Milliseconds an attempt may run on the worker before it counts as failed (a `TimeoutError`). */
  readonly timeout?: number;
  readonly tasks: readonly WireTask[];
}

export interface TaskFailure {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export type WireResult =
  | { readonly seq: number; readonly attempt: number; readonly ok: true; readonly values: unknown[]; readonly states?: StepState[] }
  | { readonly seq: number; readonly attempt: number; readonly ok: false; readonly task: string; readonly error: TaskFailure };

export interface ResultBatch {
  readonly v: number;
  readonly worker: string;
  readonly results: readonly WireResult[];
}

export type WorkerPhase = 'ready' | 'draining' | 'stopped';

export interface Heartbeat {
  readonly v: number;
  readonly id: string;
  readonly pool: string;
  readonly capacity: number;
  readonly inFlight: number;
  readonly done: number;
  readonly failed: number;
  readonly phase: WorkerPhase;
  /** Milliseconds until the next heartbeat: a worker silent for a few of these is lost. */
  readonly interval: number;
  /** Messages the worker refused, by kind (undecodable bytes and protocol violations together). */
  readonly rejected?: Readonly<Record<RejectionKind, number>>;
}

export interface CreditGrant {
  readonly v: number;
  readonly credits: number;
}

/** Why a message was refused: the same kinds the bus counts for bytes it cannot decode. */
export type ProtocolRejection = Extract<RejectionKind, 'malformed' | 'unknown-version'>;

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    message: string,
    readonly kind: ProtocolRejection = 'malformed',
  ) {
    super(message);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The object inside a versioned envelope; throws a `ProtocolError` naming `what` otherwise. */
export function checkEnvelope(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new ProtocolError(`malformed ${what}: not an object`);
  if (value.v !== PROTOCOL_VERSION) throw new ProtocolError(`${what} of unknown protocol version ${String(value.v)}`, 'unknown-version');
  return value;
}

const STEP_OPS: ReadonlySet<string> = new Set<StepOp>(['map', 'starmap', 'filter', 'pluck', 'flatten', 'accumulate']);

function isStep(value: unknown): value is StepSpec {
  return isRecord(value) && typeof value.op === 'string' && STEP_OPS.has(value.op) && (value.task === undefined || typeof value.task === 'string');
}

function isTask(value: unknown): value is WireTask {
  return isRecord(value) && Number.isInteger(value.seq) && Number.isInteger(value.attempt) && (value.states === undefined || Array.isArray(value.states));
}

export function readTaskBatch(value: unknown): TaskBatch {
  const batch = checkEnvelope(value, 'task batch');
  if (typeof batch.pipeline !== 'string' || typeof batch.reply !== 'string') throw new ProtocolError('malformed task batch: pipeline and reply must be strings');
  if (!isPublishSubject(batch.reply)) throw new ProtocolError('malformed task batch: reply is not a literal subject');
  if (!Array.isArray(batch.chain) || !batch.chain.every(isStep)) throw new ProtocolError('malformed task batch: bad chain');
  if (!Array.isArray(batch.tasks) || !batch.tasks.every(isTask)) throw new ProtocolError('malformed task batch: bad tasks');
  if (batch.timeout !== undefined && !(typeof batch.timeout === 'number' && batch.timeout > 0 && Number.isFinite(batch.timeout))) {
    throw new ProtocolError('malformed task batch: bad timeout');
  }
  return batch as unknown as TaskBatch;
}

function isResult(value: unknown): value is WireResult {
  if (!isRecord(value) || !Number.isInteger(value.seq) || !Number.isInteger(value.attempt)) return false;
  return value.ok === true ? Array.isArray(value.values) : value.ok === false && isRecord(value.error);
}

export function readResultBatch(value: unknown): ResultBatch {
  const batch = checkEnvelope(value, 'result batch');
  if (typeof batch.worker !== 'string' || !Array.isArray(batch.results) || !batch.results.every(isResult)) {
    throw new ProtocolError('malformed result batch');
  }
  return batch as unknown as ResultBatch;
}

export function readHeartbeat(value: unknown): Heartbeat {
  const beat = checkEnvelope(value, 'heartbeat');
  const numbers = [beat.capacity, beat.inFlight, beat.done, beat.failed, beat.interval];
  if (typeof beat.id !== 'string' || typeof beat.pool !== 'string' || !numbers.every((n) => typeof n === 'number' && n >= 0)) {
    throw new ProtocolError('malformed heartbeat');
  }
  if (beat.phase !== 'ready' && beat.phase !== 'draining' && beat.phase !== 'stopped') throw new ProtocolError('malformed heartbeat: bad phase');
  return beat as unknown as Heartbeat;
}

export function readCreditGrant(value: unknown): CreditGrant {
  const grant = checkEnvelope(value, 'credit grant');
  if (!Number.isInteger(grant.credits)) throw new ProtocolError('malformed credit grant');
  return grant as unknown as CreditGrant;
}

/** What travels for an error: never the error object itself (it may not serialize). */
export function describeFailure(error: unknown): TaskFailure {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}
