/** JetStream for tests: streams to set up, and what a stream or a consumer holds, read straight from the server. */
import { DiscardPolicy, jetstream, jetstreamManager, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { defaultCodec } from '../../src/transport/codec';
import { NatsBus } from '../../src/transport/nats-bus';
import { NatsServer } from './nats-server';

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

/** How often each id occurs among `values` (`{ id }` objects). */
export function idCounts(values: readonly unknown[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const value of values) {
    const id = (value as { id: number }).id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Publishes `values` into JetStream one after the other (each stored before the next). */
export async function publishAll(connection: NatsConnection, subject: string, values: readonly unknown[]): Promise<void> {
  const client = jetstream(connection);
  for (const value of values) await client.publish(subject, defaultCodec.encode(value));
}

export interface JetStreamFixture {
  readonly server: NatsServer;
  readonly bus: NatsBus;
  /** Runs after the current test. */
  cleanup(step: () => unknown): void;
  /** A fresh stream capturing `<name>.>` (at most `maxMessages`); returns its name and the subject `<name>.data` in it. */
  freshStream(maxMessages?: number): Promise<{ name: string; subject: string }>;
}

/** A nats-server with JetStream and a bus to it for the tests of this file; per-test cleanups. */
export function useJetStreamServer(): JetStreamFixture {
  let server: NatsServer | undefined;
  let bus: NatsBus | undefined;
  let streams = 0;
  const cleanups: Array<() => unknown> = [];
  beforeAll(async () => {
    server = await NatsServer.start({ jetstream: true });
    bus = await NatsBus.connect({ servers: server.url });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  afterAll(async () => {
    await bus?.close();
    await server?.stop();
  });
  const ready = <V>(value: V | undefined): V => {
    if (value === undefined) throw new Error('useJetStreamServer: the server is not up (outside a test?)');
    return value;
  };
  return {
    get server() {
      return ready(server);
    },
    get bus() {
      return ready(bus);
    },
    cleanup: (step) => cleanups.push(step),
    async freshStream(maxMessages) {
      const name = `STREAM${++streams}`;
      await createStream(ready(bus).connection, { name, subjects: [`${name.toLowerCase()}.>`], maxMessages });
      return { name, subject: `${name.toLowerCase()}.data` };
    },
  };
}
