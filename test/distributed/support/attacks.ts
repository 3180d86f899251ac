/**
 * What an attacker with a plain NATS connection and publish rights under the prefix does to a
 * cluster (issue #12): forged results, ghost and wildcard heartbeats, a drain request, a flood of
 * fake tasks, and replays of genuine messages it recorded. Messages are encoded with the codec, as
 * Rivulet's own bus would.
 */
import { readFile } from 'node:fs/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import { PROTOCOL_VERSION, type Heartbeat, type ResultBatch, type TaskBatch, type WireResult } from '../../../src/distributed/protocol';
import type { Subjects } from '../../../src/distributed/subjects';
import { Codec } from '../../../src/transport/codec';

const codec = new Codec();

export interface Recorded {
  readonly subject: string;
  readonly bytes: Uint8Array;
}

/** Copies every message on `subjects` (the attacker listens too). */
export function record(nc: NatsConnection, subjects: readonly string[]): Recorded[] {
  const recorded: Recorded[] = [];
  for (const subject of subjects) {
    nc.subscribe(subject, { callback: (error, msg) => void (error === null && recorded.push({ subject: msg.subject, bytes: msg.data.slice() })) });
  }
  return recorded;
}

const ATTEMPTS = [0, 1, 2, 999];

/** Every forgery of one attempt: one value, none, three, and a failure. */
export function everyForgery(seq: number, attempt: number): WireResult[] {
  return [
    { seq, attempt, ok: true, values: ['PWNED'] },
    { seq, attempt, ok: true, values: [] },
    { seq, attempt, ok: true, values: ['a', 'b', 'c'] },
    { seq, attempt, ok: false, task: 'inc', error: { name: 'Error', message: 'forged failure' } },
  ];
}

/** The forgeries a `map` chain can tell from a real result without a secret: a wrong value count, or an attempt never sent. */
export function implausibleForgeries(seq: number, attempt: number): WireResult[] {
  return everyForgery(seq, attempt).filter((result) => attempt === 999 || (result.ok && result.values.length !== 1));
}

/** For each sequence number and attempts 0, 1, 2 and 999, the results `forge` makes, one message each; returns how many. */
export function forgeResults(nc: NatsConnection, subject: string, seqs: readonly number[], forge = everyForgery): number {
  const results = seqs.flatMap((seq) => ATTEMPTS.flatMap((attempt) => forge(seq, attempt)));
  for (const result of results) nc.publish(subject, codec.encode({ v: PROTOCOL_VERSION, worker: 'ghost', results: [result] } satisfies ResultBatch));
  return results.length;
}

/** Ghosts (a plain id, wildcards, a dotted id) claiming huge capacity and hour-long intervals, plus `extra` ghosts with made-up ids. */
export function forgeHeartbeats(nc: NatsConnection, subjects: Subjects, extra = 0): number {
  const ids = ['ghost', '*', '>', 'a.b', ...Array.from({ length: extra }, (_, i) => `ghost-${i}`)];
  for (const id of ids) {
    const beat = { v: PROTOCOL_VERSION, id, pool: subjects.pool, capacity: id.startsWith('ghost-') ? 100_000 : 1e9, inFlight: 0, done: 0, failed: 0, phase: 'ready', interval: id.startsWith('ghost-') ? 60_000 : 1e12, free: 100_000, tasks: {} };
    nc.publish(subjects.heartbeat, codec.encode(beat satisfies Omit<Heartbeat, 'phase'> & { phase: string }));
  }
  return ids.length;
}

export function forgeDrain(nc: NatsConnection, subjects: Subjects, worker: string): void {
  nc.publish(subjects.drainWorker(worker), codec.encode(null));
}

const FLOOD_CHUNK = 200;

/**
 * `count` task batches of `inc` on 60 elements each (answered to an inbox nobody reads), in chunks
 * of 200 flushed one after the other: a flood that lasts, so that it meets the worker's memberships.
 */
export async function floodTasks(nc: NatsConnection, subjects: Subjects, count: number): Promise<void> {
  const tasks = Array.from({ length: 60 }, (_, seq) => ({ seq, attempt: 0, value: seq }));
  const batch = codec.encode({ v: PROTOCOL_VERSION, pipeline: 'fake', reply: `${subjects.prefix}.results.fake`, chain: [{ op: 'map', task: 'inc' }], tasks } satisfies TaskBatch);
  for (let sent = 0; sent < count; sent += FLOOD_CHUNK) {
    for (let i = sent; i < Math.min(count, sent + FLOOD_CHUNK); i++) nc.publish(subjects.tasks, batch, { reply: `_INBOX.fake.${i}` });
    await nc.flush();
  }
}

/** Publishes every recorded message again, unchanged. */
export function replay(nc: NatsConnection, recorded: readonly Recorded[]): void {
  for (const { subject, bytes } of recorded) nc.publish(subject, bytes);
}

/** Resident memory of process `pid` in MiB (Linux). */
export async function residentMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}
