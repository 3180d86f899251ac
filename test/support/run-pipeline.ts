import { Stream } from '../../src';

/** Builds a pipeline on a fresh source, emits every input synchronously and returns what reached the end. */
export function runPipeline<In, Out>(inputs: Iterable<In>, build: (source: Stream<In>) => Stream<Out>): Out[] {
  const source = new Stream<In>();
  const out = build(source).sinkToList();
  for (const x of inputs) source.emit(x);
  return out;
}
