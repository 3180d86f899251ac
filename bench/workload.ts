/** The in-process benchmark's workload: map(x+1) -> filter(even) -> accumulate(sum) -> sink. */
import { Stream } from '../src';

export const inc = (x: number): number => x + 1;
export const even = (x: number): boolean => x % 2 === 0;
export const add = (acc: number, x: number): number => acc + x;

let last = 0;
export const consume = (x: number): void => {
  last = x;
};

/** The last value the sink saw (read it so the work cannot be optimised away). */
export function consumed(): number {
  return last;
}

export function rivuletPipeline(): Stream<number> {
  const source = new Stream<number>();
  source.map(inc).filter(even).accumulate(add, { start: 0 }).sink(consume);
  return source;
}
