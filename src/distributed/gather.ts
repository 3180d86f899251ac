import type { GatherOptions } from './gather-node';
import { Stream } from '../stream';

declare module '../stream' {
  interface Stream<T> {
    /** Brings a distributed stream's results back; on a local stream it returns the stream itself. */
    gather(options?: GatherOptions): Stream<T>;
  }
}

Stream.registerApi('gather', (upstream) => upstream);
