/**
 * What flows between `scatter()` and `gather()`: an element together with the distributed
 * operators still to run on it. It stays unresolved until a `gather()` sends it to a worker.
 */
import type { CompiledChain } from './compiled-chain';

declare const remoteBrand: unique symbol;

/** The opaque part of `Remote<T>`: a result a worker has not computed yet. */
export interface Unresolved<T> {
  readonly [remoteBrand]: T;
}

/**
 * What a local node attached to a `DistributedStream<T>` without `gather()` receives (streamz's
 * gotcha). It cannot be used as a `T`: call `gather()` first.
 */
export type Remote<T> = T | Unresolved<T>;

/** The runtime form of `Unresolved<T>`: the input element and the last distributed operator to apply. */
export class RemoteValue {
  constructor(
    readonly value: unknown,
    /** The last task node of the chain to run, or `undefined` when nothing remains to compute. */
    readonly tail: ChainTail | undefined,
  ) {}
}

/** What a task node exposes to the dispatcher: its compiled chain. */
export interface ChainTail {
  readonly chain: CompiledChain;
}
