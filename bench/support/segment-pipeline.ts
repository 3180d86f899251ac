/** The distributed benchmarks' workload: `scatter().map(inc).buffer(credits).gather()` into a counting sink. */
import { Client, Stream } from '../../src';
import { inc } from './distributed-tasks';

export const WINDOW = 256;

/** Sends `elements` numbers through a fresh segment with `credits`; resolves with `elements` once every result arrived. */
export async function runSegmentPipeline(client: Client, elements: number, credits = WINDOW): Promise<number> {
  const source = new Stream<number>();
  let received = 0;
  source
    .scatter({ client })
    .map(inc)
    .buffer(credits)
    .gather()
    .sink(() => received++);
  for (let i = 0; i < elements; i++) {
    const pending = source.emit(i);
    if (pending !== undefined) await pending;
  }
  await source.drain();
  if (received !== elements) throw new Error(`expected ${elements} results, got ${received}`);
  return elements;
}
