/**
 * The distributed wire protocol: plain objects in a versioned envelope (msgpackr-encoded on NATS,
 * structured-cloned to threads, handed over as they are in process). Every message read off a bus
 * goes through one of the `read*` guards, which reject anything malformed or of another version.
 */
import type { RejectionKind } from '../transport/bus';
import { isPublishSubject } from '../transport/subject-pattern';
import type { AuthRefusal } from './message-auth';

export const PROTOCOL_VERSION = 1;

export type StepOp = 'map' | 'starmap' | 'filter' | 'pluck' | 'flatten' | 'accumulate';

/** One operator of a fused task chain. `task` names a registered function; never code. */
export interface StepSpec {
  readonly op: StepOp;
  readonly task?: string;
  /** The version hash of `task` on the client: a worker with another version refuses the chain. */
  readonly version?: string;
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

/**
 * Several tasks of one pipeline segment sharing one chain: one message when scatter is saturated.
 * It is sent as a request to the pool's queue group; the worker that takes it answers a `TaskAck`.
 */
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

/**
 * One task's outcome. `task` names the chain (`inc`, `inc>filter`) or the step that failed; `ms` is
 * how long the worker ran it: an observer draws the task stream from results alone, without
 * listening on the task subject (a plain subscriber there would answer for an empty queue group).
 */
export type WireResult =
  | { readonly seq: number; readonly attempt: number; readonly ok: true; readonly values: unknown[]; readonly states?: StepState[]; readonly task?: string; readonly ms?: number }
  | { readonly seq: number; readonly attempt: number; readonly ok: false; readonly task: string; readonly error: TaskFailure; readonly ms?: number };

/** `inc` or a fused chain like `inc>filter>double`. */
export function chainLabel(chain: readonly StepSpec[]): string {
  return chain.map((step) => step.task ?? step.op).join('>');
}

/** A worker's totals when it sent a message: clients keep `client.workers()` exact between heartbeats. */
export interface WorkerCounts {
  readonly done: number;
  readonly failed: number;
  /** Tasks it runs or holds queued. */
  readonly inFlight: number;
}

export interface ResultBatch {
  readonly v: number;
  readonly worker: string;
  readonly results: readonly WireResult[];
  readonly counts?: WorkerCounts;
}

/** Why a worker did not take some tasks of a batch (they are sent again, no attempt is used up). */
export type RefusalReason = 'busy' | 'draining' | 'missing-task';

/** A worker's answer to a task batch: it runs every task but the refused ones. */
export interface TaskAck {
  readonly v: number;
  readonly worker: string;
  /** Sequence numbers it did not take. */
  readonly refused: readonly number[];
  readonly reason?: RefusalReason;
  /** For `missing-task`: which task, and what this worker has instead. */
  readonly detail?: string;
}

/** A worker's capacity credit: it can take `free` more tasks (published when it had none). */
export interface CapacityCredit {
  readonly v: number;
  readonly worker: string;
  readonly free: number;
  /** Its prefetch now (it adapts to task times): its room is `capacity + prefetch`. */
  readonly prefetch?: number;
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
  /** Tasks it can run: name -> version hash. */
  readonly tasks?: Readonly<Record<string, string>>;
  /** Tasks it can take now (free slots plus prefetch not taken; 0 while it is no member of the queue group): a capacity credit too. */
  readonly free?: number;
  /** Tasks it holds beyond its running ones at most: its room is `capacity + prefetch`. */
  readonly prefetch?: number;
  /** Segments (pipelines) it holds tasks of now or took tasks from since its last heartbeat: clients share the pool's room among that many. */
  readonly pipelines?: number;
  /** Ids of those segments (at most `HEARTBEAT_LIMITS.segmentIds`): a client does not count its own that hold nothing now. */
  readonly segments?: readonly string[];
  /** With a cluster secret: messages it refused as unauthenticated, altered, stale or replayed. */
  readonly authRefused?: Readonly<Record<AuthRefusal, number>>;
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

export function isStep(value: unknown): value is StepSpec {
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

export function isResult(value: unknown): value is WireResult {
  if (!isRecord(value) || !Number.isInteger(value.seq) || !Number.isInteger(value.attempt)) return false;
  return value.ok === true ? Array.isArray(value.values) : value.ok === false && isRecord(value.error);
}

export function readResultBatch(value: unknown): ResultBatch {
  const batch = checkEnvelope(value, 'result batch');
  if (typeof batch.worker !== 'string' || !Array.isArray(batch.results) || !batch.results.every(isResult) || !isCountsOrAbsent(batch.counts)) {
    throw new ProtocolError('malformed result batch');
  }
  return batch as unknown as ResultBatch;
}

/** Bounds a heartbeat must keep: a forged one cannot park tasks for an hour or claim a billion slots. */
export const HEARTBEAT_LIMITS = { capacity: 100_000, pipelines: 10_000, segmentIds: 64, segmentId: 128, interval: 60_000, tasks: 1_000, taskName: 128, version: 64, pool: 128 } as const;

/** One literal NATS token (no '.', '*', '>'), as worker ids appear in subjects. */
const WORKER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isWorkerId(value: unknown): value is string {
  return typeof value === 'string' && WORKER_ID.test(value);
}

function isCount(value: unknown, max = Number.MAX_SAFE_INTEGER): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max;
}

function isCountsOrAbsent(value: unknown): boolean {
  return value === undefined || (isRecord(value) && isCount(value.done) && isCount(value.failed) && isCount(value.inFlight));
}

function isSegmentList(value: unknown): boolean {
  if (value === undefined) return true;
  return Array.isArray(value) && value.length <= HEARTBEAT_LIMITS.segmentIds && value.every((id) => typeof id === 'string' && id.length <= HEARTBEAT_LIMITS.segmentId);
}

function isTaskList(value: unknown): boolean {
  if (value === undefined) return true;
  if (!isRecord(value)) return false;
  const entries = Object.entries(value);
  return entries.length <= HEARTBEAT_LIMITS.tasks && entries.every(([name, version]) => name.length <= HEARTBEAT_LIMITS.taskName && typeof version === 'string' && version.length <= HEARTBEAT_LIMITS.version);
}

export function readHeartbeat(value: unknown): Heartbeat {
  const beat = checkEnvelope(value, 'heartbeat');
  if (!isWorkerId(beat.id) || typeof beat.pool !== 'string' || beat.pool.length > HEARTBEAT_LIMITS.pool) throw new ProtocolError('malformed heartbeat: bad id or pool');
  const counts = [beat.inFlight, beat.done, beat.failed];
  if (!counts.every((n) => isCount(n)) || !isCount(beat.capacity, HEARTBEAT_LIMITS.capacity) || beat.capacity === 0) throw new ProtocolError('malformed heartbeat: bad counts');
  if (!isCount(beat.interval, HEARTBEAT_LIMITS.interval) || beat.interval === 0) throw new ProtocolError('malformed heartbeat: bad interval');
  if (beat.free !== undefined && !isCount(beat.free)) throw new ProtocolError('malformed heartbeat: bad free');
  if (beat.prefetch !== undefined && !isCount(beat.prefetch, HEARTBEAT_LIMITS.capacity)) throw new ProtocolError('malformed heartbeat: bad prefetch');
  if (beat.pipelines !== undefined && !isCount(beat.pipelines, HEARTBEAT_LIMITS.pipelines)) throw new ProtocolError('malformed heartbeat: bad pipelines');
  if (!isSegmentList(beat.segments)) throw new ProtocolError('malformed heartbeat: bad segment list');
  if (!isTaskList(beat.tasks)) throw new ProtocolError('malformed heartbeat: bad task list');
  if (beat.phase !== 'ready' && beat.phase !== 'draining' && beat.phase !== 'stopped') throw new ProtocolError('malformed heartbeat: bad phase');
  return beat as unknown as Heartbeat;
}

export function readTaskAck(value: unknown): TaskAck {
  const ack = checkEnvelope(value, 'task acknowledgement');
  if (!isWorkerId(ack.worker) || !Array.isArray(ack.refused) || !ack.refused.every(Number.isInteger)) throw new ProtocolError('malformed task acknowledgement');
  return ack as unknown as TaskAck;
}

export function readCapacityCredit(value: unknown): CapacityCredit {
  const credit = checkEnvelope(value, 'capacity credit');
  if (!isWorkerId(credit.worker) || !isCount(credit.free) || (credit.prefetch !== undefined && !isCount(credit.prefetch, HEARTBEAT_LIMITS.capacity))) throw new ProtocolError('malformed capacity credit');
  return credit as unknown as CapacityCredit;
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
