import { Client } from './client/client';
import { ScatterNode, type DistributedStream } from './distributed-stream';
import { ArgumentTypeError } from '../errors';
import { Stream, type StreamOptions } from '../stream';
import { durableConfig, markDurable, type DurableScatterOptions } from './durable/durable-scatter';

export interface ScatterOptions extends StreamOptions, DurableScatterOptions {
  /** The client whose workers run the tasks (default `Client.current()`). */
  client?: Client;
}

declare module '../stream' {
  interface Stream<T> {
    /** Hands elements to workers: operators on the result run remotely until `gather()`. */
    scatter(options?: ScatterOptions): DistributedStream<T>;
  }
}

Stream.registerApi('scatter', (upstream, options: ScatterOptions = {}) => {
  if (options === null || typeof options !== 'object') throw new ArgumentTypeError('options', 'an object', options);
  if (options.client !== undefined && !(options.client instanceof Client)) throw new ArgumentTypeError('options.client', 'a Client', options.client);
  const client = options.client ?? Client.current();
  const durable = durableConfig(client, options);
  const node = new ScatterNode(client, upstream, options);
  if (durable !== undefined) markDurable(node, durable);
  return node as unknown as DistributedStream<unknown>;
});
