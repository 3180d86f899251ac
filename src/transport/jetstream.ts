/**
 * JetStream (`@nats-io/jetstream`) for the durable `fromNats` and the JetStream `toNats`: reaching
 * it through a `NatsBus`, finding or creating the stream, creating the durable pull consumer, and
 * turning the client's errors into Rivulet's typed ones.
 */
import { AckPolicy, DeliverPolicy, JetStreamApiError, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ArgumentTypeError, describeError, JetStreamPublishError, JetStreamSetupError } from '../errors';
import type { Bus } from './bus';
import { NatsBus } from './nats-bus';

/** The NATS connection under `bus`, which must be a `NatsBus` (JetStream runs over NATS only). */
export function natsConnectionOf(bus: Bus, argument = 'client'): NatsConnection {
  if (!(bus instanceof NatsBus)) throw new ArgumentTypeError(argument, 'a NatsBus (JetStream runs over NATS)', bus);
  return bus.connection;
}

/** Throws unless a `client` given in `options` is a `NatsBus`. */
export function checkJetStreamClient(options: { client?: Bus }): void {
  if (options.client !== undefined) natsConnectionOf(options.client);
}

/** Milliseconds as the nanoseconds of JetStream's configuration. */
export function nanos(milliseconds: number): number {
  return Math.round(milliseconds * 1_000_000);
}

/** Where a durable consumer reads: its name, the subject it filters and the stream (`undefined`: find it). */
export interface DurableConsumerPlan {
  readonly subject: string;
  readonly durable: string;
  readonly stream: string | undefined;
  /** `max_ack_pending`: messages delivered and not yet acknowledged, over all its readers. */
  readonly maxAckPending: number;
  /** Milliseconds before an unacknowledged message goes out again. */
  readonly ackWait: number;
}

/**
 * Makes sure the durable pull consumer of `plan` exists with its limits (created, or updated when
 * it already exists) and returns the name of its stream. Without a stream name, an existing stream
 * must capture the subject; a named stream is created (capturing the subject) when it is missing.
 */
export async function ensureDurableConsumer(connection: NatsConnection, plan: DurableConsumerPlan): Promise<string> {
  const setupError = (stream: string | undefined, problem: string, cause?: unknown): JetStreamSetupError =>
    new JetStreamSetupError(plan.subject, plan.durable, stream, problem, cause);
  let manager: JetStreamManager;
  try {
    manager = await jetstreamManager(connection);
  } catch (error) {
    throw setupError(plan.stream, 'JetStream is not enabled on the server (start nats-server with -js)', error);
  }
  const stream = plan.stream ?? (await findStream(manager, plan.subject, setupError));
  if (plan.stream !== undefined) await createStreamIfMissing(manager, plan.stream, plan.subject, setupError);
  try {
    await manager.consumers.add(stream, {
      durable_name: plan.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: plan.subject,
      max_ack_pending: plan.maxAckPending,
      ack_wait: nanos(plan.ackWait),
    });
  } catch (error) {
    throw setupError(stream, `the server refused the consumer: ${describeError(error)}`, error);
  }
  return stream;
}

type SetupError = (stream: string | undefined, problem: string, cause?: unknown) => JetStreamSetupError;

async function findStream(manager: JetStreamManager, subject: string, setupError: SetupError): Promise<string> {
  try {
    return await manager.streams.find(subject);
  } catch (error) {
    throw setupError(undefined, `no JetStream stream captures '${subject}': create one, or name one in \`stream\` to have it created`, error);
  }
}

async function createStreamIfMissing(manager: JetStreamManager, stream: string, subject: string, setupError: SetupError): Promise<void> {
  try {
    await manager.streams.info(stream);
    return;
  } catch (error) {
    if (!isNotFound(error)) throw setupError(stream, `cannot read the stream: ${describeError(error)}`, error);
  }
  try {
    await manager.streams.add({ name: stream, subjects: [subject] });
  } catch (error) {
    throw setupError(stream, `cannot create the stream: ${describeError(error)}`, error);
  }
}

function isNotFound(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'StreamNotFoundError';
}

/**
 * The typed error for a failed JetStream publish: 503 (the client calls it "JetStream not
 * enabled") means nothing captures the subject; an API error is the stream refusing it.
 */
export function toPublishError(subject: string, error: unknown): unknown {
  const name = (error as Error | undefined)?.name;
  if (name === 'JetStreamNotEnabled') {
    return new JetStreamPublishError(subject, 'no-stream', 'no stream captures the subject, or JetStream is not enabled', undefined, error);
  }
  if (name === 'TimeoutError') return new JetStreamPublishError(subject, 'timeout', 'no acknowledgement in time', undefined, error);
  if (error instanceof JetStreamApiError) return new JetStreamPublishError(subject, 'rejected', error.message, error.code, error);
  return error;
}
