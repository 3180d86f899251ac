import { Stream } from '../index';

function inc(x: number): number {
  return x + 1;
}

/** streamz's quickstart, in TypeScript: map(inc) then print each result. */
export async function runDemo(log: (line: string) => void = console.log): Promise<void> {
  const source = new Stream<number>({ name: 'numbers' });
  source.map(inc).sink((x) => log(String(x)));
  for (let i = 0; i < 10; i++) await source.emit(i);
  await source.drain();
  log(source.visualize());
}
