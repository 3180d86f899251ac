/**
 * Remote actor inspection. An inspector asks every worker, on `<prefix>.control.inspect`, to report
 * its actor for `lease` ms (and asks again before the lease ends while it keeps looking). While
 * asked, a worker publishes an `ActorReport` on `<prefix>.inspect.<worker>`: one in answer to each
 * ask, with its machine, and one after its transitions. Unasked, it publishes nothing.
 */
import { TIMELINE_LENGTH, type TimelineEntry } from '../inspect/actors';
import type { MachineGraph, MachineTransition } from '../inspect/machines';
import { checkEnvelope, isWorkerId, ProtocolError } from './protocol';

export interface InspectWatch {
  readonly v: number;
  /** Milliseconds the worker keeps reporting its transitions. */
  readonly lease: number;
}

/** Where a remote actor runs. */
export interface ActorOrigin {
  readonly host: string;
  readonly pid: number;
  /** The worker thread (0: the process's main thread). */
  readonly thread: number;
}

export interface ActorReport extends ActorOrigin {
  readonly v: number;
  readonly worker: string;
  /** The actor's xstate id (`worker-<id>`) and its machine's id (`worker`). */
  readonly actor: string;
  readonly machine: string;
  readonly state: string;
  /** `done` once the machine reached a final state (a worker that stopped). */
  readonly status: 'active' | 'done';
  readonly events: number;
  readonly lastEvent?: string;
  /** Epoch milliseconds (the worker's clock) of the last transition or event. */
  readonly updated: number;
  /** The last transitions, oldest first. */
  readonly timeline: readonly TimelineEntry[];
  /** The machine drawn (in answers to an ask). */
  readonly graph?: MachineGraph;
}

/** Bounds a report keeps: an inspector holds a few kilobytes per worker. */
export const INSPECT_LIMITS = { lease: 60_000, text: 256, timeline: TIMELINE_LENGTH, states: 200, transitions: 500 } as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= INSPECT_LIMITS.text;
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isListOf(value: unknown, limit: number, item: (entry: unknown) => boolean): boolean {
  return Array.isArray(value) && value.length <= limit && value.every(item);
}

function isTimelineEntry(value: unknown): value is TimelineEntry {
  return isRecord(value) && typeof value.time === 'number' && isText(value.event) && isText(value.state);
}

function isTransition(value: unknown): value is MachineTransition {
  return isRecord(value) && isText(value.from) && isText(value.to) && isText(value.event) && (value.guard === undefined || isText(value.guard));
}

function isGraph(value: unknown): value is MachineGraph {
  if (!isRecord(value) || !isText(value.id) || !(value.initial === undefined || isText(value.initial))) return false;
  return isListOf(value.states, INSPECT_LIMITS.states, isText) && isListOf(value.transitions, INSPECT_LIMITS.transitions, isTransition);
}

export function readInspectWatch(value: unknown): InspectWatch {
  const watch = checkEnvelope(value, 'inspect watch');
  if (!isCount(watch.lease) || watch.lease === 0 || watch.lease > INSPECT_LIMITS.lease) throw new ProtocolError('malformed inspect watch: bad lease');
  return watch as unknown as InspectWatch;
}

export function readActorReport(value: unknown): ActorReport {
  const report = checkEnvelope(value, 'actor report');
  if (!isWorkerId(report.worker) || !isText(report.actor) || !isText(report.machine) || !isText(report.state)) throw new ProtocolError('malformed actor report: bad worker, actor or state');
  if (!isText(report.host) || !isCount(report.pid) || !isCount(report.thread)) throw new ProtocolError('malformed actor report: bad origin');
  if ((report.status !== 'active' && report.status !== 'done') || !isCount(report.events) || typeof report.updated !== 'number') throw new ProtocolError('malformed actor report: bad status');
  if (!(report.lastEvent === undefined || isText(report.lastEvent))) throw new ProtocolError('malformed actor report: bad last event');
  if (!isListOf(report.timeline, INSPECT_LIMITS.timeline, isTimelineEntry)) throw new ProtocolError('malformed actor report: bad timeline');
  if (!(report.graph === undefined || isGraph(report.graph))) throw new ProtocolError('malformed actor report: bad machine');
  return report as unknown as ActorReport;
}
