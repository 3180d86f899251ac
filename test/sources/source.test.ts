import { observeActors, Source, Stream } from '../../src';

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

  test('a finished source stays finished: start() emits nothing again; a failed one starts a fresh pass', async () => {
    let fail = true;
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
    fail = false;
    await source.start();
    seen.push(source.state);
    await source.start();
    await source.drain();
    seen.push(source.state);
    expect(seen).toEqual(['idle', 'failed', 'finished', 'finished']);
    expect(out).toEqual([1, 2, 3]);
    expect(failures.map((failure) => String(failure.error))).toEqual(['Error: gone']);
  });

  test('start() after it finished, after destroy(), or after destroy() mid-run replays nothing', async () => {
    const finished = Stream.fromIterable([1, 2, 3]);
    const fromFinished = finished.sinkToList();
    await finished.start();
    await finished.drain();
    await finished.start();
    await finished.drain();
    expect(fromFinished).toEqual([1, 2, 3]);

    const destroyed = Stream.fromIterable([1, 2, 3]);
    const fromDestroyed = destroyed.sinkToList();
    destroyed.destroy();
    await destroyed.start();
    await destroyed.drain();
    expect(fromDestroyed).toEqual([]);
    expect(destroyed.state).toBe('stopped');

    const endless = Stream.fromIterable(naturals());
    const taken: number[] = [];
    endless.sink((x: number) => {
      taken.push(x);
      if (x === 2) endless.destroy();
    });
    await endless.start();
    await endless.drain();
    await endless.start();
    await endless.drain();
    expect(taken).toEqual([0, 1, 2]);
  });

  test('a start() the caller receives rejected is not also logged; errors subscribers still get it', async () => {
    const errorLog = jest.spyOn(console, 'error');
    try {
      const unobserved = new Unopenable();
      await expect(unobserved.start()).rejects.toThrow('cannot open');
      await expect(unobserved.map((x) => x).start()).rejects.toThrow('cannot open');
      const observed = new Unopenable();
      const failures = observed.errors.sinkToList();
      await expect(observed.start()).rejects.toThrow('cannot open');
      expect(failures.map((failure) => failure.message)).toEqual(['<Unopenable> failed on element undefined: Error: cannot open']);
      expect(errorLog).not.toHaveBeenCalled();
    } finally {
      errorLog.mockRestore();
    }
  });

  test('a failure to open with { start: true } (no caller) is logged once', async () => {
    const errorLog = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const source = new Unopenable().startSoon();
      await new Promise((resolve) => setImmediate(resolve));
      expect(source.state).toBe('failed');
      expect(errorLog).toHaveBeenCalledTimes(1);
      expect(errorLog.mock.calls[0][0]).toBe('rivulet: <Unopenable> failed on element undefined: Error: cannot open');
    } finally {
      errorLog.mockRestore();
    }
  });
});

/** A source whose resource cannot be acquired. */
class Unopenable extends Source<number> {
  override get kind(): string {
    return 'Unopenable';
  }

  protected override open(): Promise<void> {
    return Promise.reject(new Error('cannot open'));
  }

  protected override close(): void {}
}

function* naturals(): Generator<number> {
  for (let i = 0; i < 1_000_000; i++) yield i;
}
