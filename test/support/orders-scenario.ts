/**
 * The exactly-once process tests' setup and verdict: inputs `{ id }` 0..count-1 stored in stream
 * ORDERS (`orders.in`), a pipeline process writes stream BILLED (`orders.billed`), and at the end
 * every input must be acknowledged by the pipeline's durable consumer and stored once in BILLED.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { NatsBus } from '../../src/transport/nats-bus';
import { consumerInfo, createStream, idCounts, publishAll, readStream, storedCount } from './jetstream';
import { NatsServer } from './nats-server';
import { waitFor } from './wait-for';

export const ORDERS_IN = 'orders.in';
export const ORDERS_OUT = 'orders.billed';

export interface OrdersScenario {
  readonly server: NatsServer;
  readonly bus: NatsBus;
  /** The output messages stored so far, refreshed by `refreshStored` (kept through a server restart). */
  stored: number;
  refreshStored(): Promise<void>;
  /** Stores inputs `{ id }` 0..count-1 in ORDERS, one after the other. */
  publishInputs(count: number): Promise<void>;
  /** Waits until the output holds `count` messages (bounded by `timeout` ms). */
  reach(count: number, timeout: number, what: string): Promise<void>;
}

/** A nats-server with JetStream, a bus to it, and both streams. */
export async function startOrdersScenario(): Promise<OrdersScenario> {
  const server = await NatsServer.start({ jetstream: true });
  const bus = await NatsBus.connect({ servers: server.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  const connection = bus.connection;
  await createStream(connection, { name: 'ORDERS', subjects: [ORDERS_IN] });
  await createStream(connection, { name: 'BILLED', subjects: [ORDERS_OUT] });
  const scenario: OrdersScenario = {
    server,
    bus,
    stored: 0,
    async refreshStored() {
      scenario.stored = await storedCount(connection, 'BILLED').catch(() => scenario.stored);
    },
    publishInputs: (count) => publishAll(connection, ORDERS_IN, Array.from({ length: count }, (_, id) => ({ id }))),
    reach: (target, timeout, what) => waitFor(() => scenario.stored >= target, timeout, what, scenario.refreshStored),
  };
  return scenario;
}

export interface ExactlyOnceVerdict {
  /** Messages in the output stream, ids stored more than once, ids never stored. */
  stored: number;
  repeated: number[];
  missing: number[];
  output: unknown[];
  /** The input stream sequence the consumer acknowledged everything up to. */
  ackFloor: number;
}

/** Waits until `consumer` acknowledged every input, then reads the whole output (bounded by `timeout` ms). */
export async function exactlyOnceVerdict(connection: NatsConnection, consumer: string, count: number, timeout: number): Promise<ExactlyOnceVerdict> {
  const deadline = Date.now() + timeout;
  const remaining = (): number => Math.max(1, deadline - Date.now());
  let input = await consumerInfo(connection, 'ORDERS', consumer);
  const refreshInput = async (): Promise<void> => {
    input = await consumerInfo(connection, 'ORDERS', consumer);
  };
  await waitFor(() => input.num_ack_pending === 0 && input.num_pending === 0, remaining(), 'every input acknowledged', refreshInput);
  const output = await readStream(connection, 'BILLED', remaining());
  const counts = idCounts(output);
  const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  const missing = Array.from({ length: count }, (_, id) => id).filter((id) => !counts.has(id));
  return { stored: output.length, repeated, missing, output, ackFloor: input.ack_floor.stream_seq };
}
