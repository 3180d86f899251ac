/**
 * Control messages of a flow-controlled link, in the distributed protocol's versioned envelope.
 * Every message read off the wire goes through a `read*` guard, which throws a `ProtocolError`
 * for anything malformed or of another version.
 */
import { checkEnvelope, ProtocolError } from '../distributed/protocol';

/** Milliseconds between a consumer's status announcements and a producer's checks, unless set. */
export const DEFAULT_LINK_HEARTBEAT = 500;

/** Messages a consumer holds unaccepted from one producer. */
export type HeldMessages = readonly [producer: string, seqs: readonly number[]];

/**
 * A consumer's announcement, on a timer, when it joins or leaves, and when a producer waits for
 * credits. Producers learn from it how many credits the link has, that the consumer lives, and
 * which of their messages it still holds (so they are not sent again).
 */
export interface ConsumerStatus {
  readonly v: number;
  readonly id: string;
  readonly queue: string;
  readonly credits: number;
  /** Credits not taken by a message right now. */
  readonly free: number;
  /** Milliseconds until the next status: a consumer silent for a few of these is gone. */
  readonly interval: number;
  readonly held: readonly HeldMessages[];
  /** The consumer stops: it takes no more messages. */
  readonly leaving?: boolean;
}

/** A consumer's report to one producer. */
export interface ConsumerReport {
  readonly v: number;
  /** Messages the consumer's pipeline accepted (or that it already had). */
  readonly acked: readonly number[];
  /** Messages it gives back unaccepted (it is stopping): the producer sends them again at once. */
  readonly released?: readonly number[];
}

/** A producer out of credits asks the consumers to announce their free credits. */
export interface CreditCall {
  readonly v: number;
  readonly producer: string;
}

function isSeqList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((seq) => Number.isSafeInteger(seq) && seq > 0);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isHeld(value: unknown): value is HeldMessages {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && isSeqList(value[1]);
}

export function readConsumerStatus(value: unknown): ConsumerStatus {
  const status = checkEnvelope(value, 'link consumer status');
  const counts = isCount(status.credits) && isCount(status.free) && typeof status.interval === 'number' && status.interval > 0;
  if (typeof status.id !== 'string' || typeof status.queue !== 'string' || !counts) throw new ProtocolError('malformed link consumer status');
  if (!Array.isArray(status.held) || !status.held.every(isHeld)) throw new ProtocolError('malformed link consumer status: bad held list');
  return status as unknown as ConsumerStatus;
}

export function readConsumerReport(value: unknown): ConsumerReport {
  const report = checkEnvelope(value, 'link consumer report');
  if (!isSeqList(report.acked) || (report.released !== undefined && !isSeqList(report.released))) {
    throw new ProtocolError('malformed link consumer report');
  }
  return report as unknown as ConsumerReport;
}

export function readCreditCall(value: unknown): CreditCall {
  const call = checkEnvelope(value, 'link credit call');
  if (typeof call.producer !== 'string') throw new ProtocolError('malformed link credit call');
  return call as unknown as CreditCall;
}
