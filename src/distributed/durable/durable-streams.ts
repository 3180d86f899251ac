/**
 * Sets up a durable segment's streams and consumers (client side), and finds them (worker side).
 * Tasks: a limits stream the gather trims from the front once it delivered their results, so its
 * first sequence is always the next element to deliver. Results: a work-queue stream (a result
 * goes once the gather acknowledged it).
 */
import { jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { describeError, DurableSegmentError } from '../../errors';
import { ensureDurableConsumer } from '../../transport/jetstream';
import { GATHER_CONSUMER, WORKERS_CONSUMER, type DurableNames } from './durable-names';

export interface DurableLimits {
  /** Tasks the pool holds at once (the workers' `max_ack_pending`). */
  readonly credits: number;
  /** Results the gather holds at once, waiting for an earlier one or delivered and not yet confirmed. */
  readonly window: number;
  /** Milliseconds a task or result may stay unacknowledged (and its lease unrenewed) before it goes out again. */
  readonly ackWait: number;
}

/** Where the gather resumes: the first element not delivered yet and the last one stored. */
export interface TaskRange {
  readonly next: number;
  readonly last: number;
}

export async function managerFor(connection: NatsConnection, durable: string): Promise<JetStreamManager> {
  try {
    return await jetstreamManager(connection);
  } catch (error) {
    throw new DurableSegmentError(durable, 'JetStream is not enabled on the server (start nats-server with -js -sd DIR)', error);
  }
}

/** Creates what is missing and sets the consumers' limits. */
export async function ensureDurableSegment(connection: NatsConnection, names: DurableNames, limits: DurableLimits): Promise<JetStreamManager> {
  const manager = await managerFor(connection, names.durable);
  await ensureStream(manager, names, names.taskStream, names.taskSubject, RetentionPolicy.Limits, names.description);
  await ensureStream(manager, names, names.resultStream, names.resultSubject, RetentionPolicy.Workqueue, `results of ${names.taskStream}`);
  const consumer = async (stream: string, subject: string, durable: string, maxAckPending: number): Promise<void> => {
    try {
      await ensureDurableConsumer(connection, { stream, subject, durable, maxAckPending, ackWait: limits.ackWait });
    } catch (error) {
      throw new DurableSegmentError(names.durable, describeError(error), error);
    }
  };
  await consumer(names.taskStream, names.taskSubject, WORKERS_CONSUMER, limits.credits);
  await consumer(names.resultStream, names.resultSubject, GATHER_CONSUMER, limits.window);
  return manager;
}

async function ensureStream(manager: JetStreamManager, names: DurableNames, stream: string, subject: string, retention: RetentionPolicy, description: string): Promise<void> {
  try {
    await manager.streams.info(stream);
    return;
  } catch (error) {
    if ((error as Error | undefined)?.name !== 'StreamNotFoundError') throw new DurableSegmentError(names.durable, `cannot read stream '${stream}': ${describeError(error)}`, error);
  }
  try {
    await manager.streams.add({ name: stream, subjects: [subject], retention, storage: StorageType.File, description });
  } catch (error) {
    throw new DurableSegmentError(names.durable, `cannot create stream '${stream}': ${describeError(error)}`, error);
  }
}

export async function taskRange(manager: JetStreamManager, names: DurableNames): Promise<TaskRange> {
  const { state } = await manager.streams.info(names.taskStream);
  return { next: state.messages === 0 ? state.last_seq + 1 : Math.max(1, state.first_seq), last: state.last_seq };
}
