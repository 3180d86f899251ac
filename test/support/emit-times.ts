import type { Stream } from '../../src';

/**
 * Emits `first`, `first + 1`, ... (`count` elements), awaiting each emit before the next, and
 * resolves to the time (ms since the call, fake time under jest's fake timers) each emit resolved.
 */
export async function emitTimes(source: Stream<number>, count: number, first = 0): Promise<number[]> {
  const start = performance.now();
  const times: number[] = [];
  for (let i = first; i < first + count; i++) {
    await source.emit(i);
    times.push(performance.now() - start);
  }
  return times;
}
