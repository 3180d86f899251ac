import { Stream } from '../stream';
import { Sink } from './sink';

declare module '../stream' {
  interface Stream<T> {
    /** Returns the array that collects every element. */
    sinkToList(): T[];
  }
}

Stream.registerApi('sinkToList', (upstream) => {
  const list: unknown[] = [];
  new Sink(upstream, (x: unknown) => {
    list.push(x);
  }, []);
  return list;
});
