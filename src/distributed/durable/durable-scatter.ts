/** What `scatter({ durable })` asks for, kept with the scatter node until its `gather()` opens the segment. */
import { ArgumentRangeError } from '../../errors';
import { requirePositiveInteger } from '../../validate';
import type { Client } from '../client/client';
import type { ScatterNode } from '../distributed-stream';
import { requireDurableName } from './durable-names';

export interface DurableScatterOptions {
  /**
   * Makes the segment durable (JetStream; a NATS client whose server runs `nats-server -js`):
   * `emit` resolves once the task is stored, and the same pipeline started again after a crash
   * delivers every stored element. The name identifies the segment across runs (letters,
   * digits, `-` and `_`).
   */
  durable?: string;
  /**
   * Durable segments: milliseconds a task (on a worker) or a result (in the gather) may go
   * without a lease renewal before it goes out again, which is how long a dead worker's tasks
   * wait (default 30000).
   */
  ackWait?: number;
  /** Durable segments: milliseconds an `emit` keeps trying to store its task, e.g. through a server restart (default 30000). */
  publishTimeout?: number;
}

export interface DurableConfig {
  readonly name: string;
  readonly ackWait: number;
  readonly publishTimeout: number;
}

const DEFAULT_ACK_WAIT = 30_000;
const DEFAULT_PUBLISH_TIMEOUT = 30_000;
const durableScatters = new WeakMap<ScatterNode, DurableConfig>();

/** The durable configuration asked for, or `undefined`; throws for a client that cannot run one. */
export function durableConfig(client: Client, options: DurableScatterOptions): DurableConfig | undefined {
  if (options.durable === undefined) {
    for (const name of ['ackWait', 'publishTimeout'] as const) {
      if (options[name] !== undefined) throw new ArgumentRangeError(name, 'given only with durable', options[name]);
    }
    return undefined;
  }
  const name = requireDurableName(options.durable);
  if (client.deployment !== 'nats') {
    throw new ArgumentRangeError('durable', `given only on a NATS client (new Client({ servers })), whose server runs JetStream; this client is ${client.deployment}`, name);
  }
  if (client.options.secret !== undefined) {
    throw new ArgumentRangeError('durable', 'left out on a client with a cluster secret (stored tasks and results are not sealed with it; its workers run none)', name);
  }
  return {
    name,
    ackWait: requirePositiveInteger('ackWait', options.ackWait ?? DEFAULT_ACK_WAIT),
    publishTimeout: requirePositiveInteger('publishTimeout', options.publishTimeout ?? DEFAULT_PUBLISH_TIMEOUT),
  };
}

export function markDurable(node: ScatterNode, config: DurableConfig): void {
  durableScatters.set(node, config);
}

export function durableConfigOf(node: ScatterNode | undefined): DurableConfig | undefined {
  return node === undefined ? undefined : durableScatters.get(node);
}
