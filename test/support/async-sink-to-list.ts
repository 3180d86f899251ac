import type { Stream } from '../../src';

/** Like `sinkToList`, but the sink takes each element asynchronously (a microtask later), so emits return promises. */
export function asyncSinkToList<T>(stream: Stream<T>): T[] {
  const list: T[] = [];
  stream.sink(async (x: T) => {
    await Promise.resolve();
    list.push(x);
  });
  return list;
}
