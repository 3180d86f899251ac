/** JetStream for tests: streams to set up, and what a stream or a consumer holds, read straight from the server. */
import { DiscardPolicy, jetstream, jetstreamManager, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { defaultCodec } from '../../src/transport/codec';

export interface TestStream {
  name: string;
  subjects: string[];
  /** At most this many messages; further ones are refused. */
  maxMessages?: number;
}

export async function createStream(connection: NatsConnection, stream: TestStream): Promise<void> {
  const manager = await jetstreamManager(connection);
  await manager.streams.add({
    name: stream.name,
    subjects: stream.subjects,
    ...(stream.maxMessages === undefined ? {} : { max_msgs: stream.maxMessages, discard: DiscardPolicy.New }),
  });
}

export async function manager(connection: NatsConnection): Promise<JetStreamManager> {
  return jetstreamManager(connection);
}

export async function storedCount(connection: NatsConnection, stream: string): Promise<number> {
  return (await (await jetstreamManager(connection)).streams.info(stream)).state.messages;
}

export async function consumerInfo(connection: NatsConnection, stream: string, durable: string): Promise<ConsumerInfo> {
  return (await jetstreamManager(connection)).consumers.info(stream, durable);
}

/** Every message of `stream`, decoded, in stream order (an ordered consumer reads them; bounded by `timeout` ms). */
export async function readStream(connection: NatsConnection, stream: string, timeout = 5_000): Promise<unknown[]> {
  const count = await storedCount(connection, stream);
  const values: unknown[] = [];
  if (count === 0) return values;
  const consumer = await jetstream(connection).consumers.get(stream);
  const messages = await consumer.consume();
  const timer = setTimeout(() => void messages.close(), timeout);
  for await (const msg of messages) {
    values.push(defaultCodec.decode(msg.data));
    if (values.length === count) break;
  }
  clearTimeout(timer);
  await messages.close();
  return values;
}

/** Publishes `values` into JetStream one after the other (each stored before the next). */
export async function publishAll(connection: NatsConnection, subject: string, values: readonly unknown[]): Promise<void> {
  const client = jetstream(connection);
  for (const value of values) await client.publish(subject, defaultCodec.encode(value));
}
