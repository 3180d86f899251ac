import { Stream } from '../stream';
import { requireStreams, type ElementOf } from './support/join';

declare module '../stream' {
  interface Stream<T> {
    /** Every element of this stream and of `others`, as it arrives. */
    union<A extends Stream<unknown>[]>(...others: A): Stream<T | ElementOf<A[number]>>;
  }
}

export class Union<T> extends Stream<T> {
  constructor(upstreams: ReadonlyArray<Stream<unknown>>) {
    super({}, upstreams);
  }

  override get kind(): string {
    return 'union';
  }
}

Stream.registerApi('union', (upstream, ...others: unknown[]) => new Union([upstream, ...requireStreams('others', others)]));
