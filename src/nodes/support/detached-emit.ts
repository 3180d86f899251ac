import type { Emitted, Stream } from '../../stream';

/** Emits `x`; a synchronous failure downstream goes to the node's `errors` instead of the caller. */
export function emitReportingThrow<T>(node: Stream<T>, x: T): Emitted {
  try {
    return node.emit(x);
  } catch (error) {
    node.reportError(x, error);
    return undefined;
  }
}

/**
 * Emits `x` from a timer or a queue, where no `emit` caller can receive a failure: a synchronous
 * throw or a rejection downstream goes to the node's `errors` and the node carries on. Returns
 * `undefined` when the downstream took `x` synchronously, otherwise a promise that resolves (never
 * rejects) once it accepted or failed it.
 */
export function emitDetached<T>(node: Stream<T>, x: T): Promise<void> | undefined {
  const result = emitReportingThrow(node, x);
  if (result === undefined) return undefined;
  return result.then(undefined, (error: unknown) => node.reportError(x, error));
}
