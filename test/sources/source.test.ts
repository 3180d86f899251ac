import { observeActors, Stream } from '../../src';

describe('Source lifecycle', () => {
  test('the actor of a source shows running then finished, not one transition per element', async () => {
    const source = Stream.fromIterable(Array.from({ length: 1000 }, (_, i) => i));
    const states: string[] = [];
    const unsubscribe = observeActors((event) => {
      if (event.type === '@xstate.snapshot' && event.actorRef.sessionId === source.actorId) {
        states.push(String((event.snapshot as { value?: unknown }).value));
      }
    });
    const out = source.map((x) => x * 2).sinkToList();
    await source.start();
    await source.drain();
    unsubscribe();
    expect(out).toHaveLength(1000);
    expect(states).toEqual(['running', 'finished']);
  });

  test('finished, started again, failed, started again: each run is a fresh pass over an iterable', async () => {
    let fail = false;
    const source = Stream.fromIterable({
      *[Symbol.iterator]() {
        for (const item of [1, 2, 3]) {
          if (fail) throw new Error('gone');
          yield item;
        }
      },
    });
    const failures = source.errors.sinkToList();
    const out = source.sinkToList();
    const seen: string[] = [source.state];
    await source.start();
    seen.push(source.state);
    fail = true;
    await source.start();
    seen.push(source.state);
    fail = false;
    await source.start();
    seen.push(source.state);
    expect(seen).toEqual(['idle', 'finished', 'failed', 'finished']);
    expect(out).toEqual([1, 2, 3, 1, 2, 3]);
    expect(failures.map((failure) => String(failure.error))).toEqual(['Error: gone']);
  });
});
