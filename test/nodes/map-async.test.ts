import fc from 'fast-check';
import { ArgumentRangeError, ArgumentTypeError, PipelineError, Stream } from '../../src';
import { emitTimes } from '../support/emit-times';
import { sleep } from '../support/sleep';
import { trackSettled } from '../support/track-settled';

/** Resolves to `value` after `ms`. */
async function later<T>(ms: number, value: T): Promise<T> {
  await sleep(ms);
  return value;
}

describe('mapAsync', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('test_map_async: mapAsync(x + 1).mapAsync(100 ms x + 2, { parallelism: 2 }) on 0, 1, 2 => [3, 4, 5]', async () => {
    const source = new Stream<number>();
    const out: Array<[number, number]> = [];
    const start = performance.now();
    source
      .mapAsync(async (x) => x + 1)
      .mapAsync((x) => later(100, x + 2), { parallelism: 2 })
      .sink((x) => out.push([x, performance.now() - start]));
    const times = emitTimes(source, 3);
    await jest.advanceTimersByTimeAsync(200);
    expect(await times).toEqual([0, 0, 0]);
    // streamz lets parallelism + 1 calls run (all three at 100 ms); Rivulet keeps to parallelism.
    expect(out).toEqual([
      [3, 100],
      [4, 100],
      [5, 200],
    ]);
  });

  test('results keep input order: durations 200, 50, 100, 10 with parallelism 3', async () => {
    const source = new Stream<number>();
    const durations = [200, 50, 100, 10];
    const out: Array<[number, number]> = [];
    const start = performance.now();
    source
      .mapAsync((i) => later(durations[i], i), { parallelism: 3 })
      .sink((x) => out.push([x, performance.now() - start]));
    const times = emitTimes(source, 4);
    await jest.advanceTimersByTimeAsync(300);
    expect(await times).toEqual([0, 0, 0, 200]);
    expect(out).toEqual([
      [0, 200],
      [1, 200],
      [2, 200],
      [3, 210],
    ]);
  });

  test('never runs more than parallelism calls at once', async () => {
    const source = new Stream<number>();
    let running = 0;
    let most = 0;
    const out = source
      .mapAsync(
        async (x) => {
          most = Math.max(most, ++running);
          await sleep(10 + (x % 3) * 7);
          running--;
          return x;
        },
        { parallelism: 3 },
      )
      .sinkToList();
    const emits = Array.from({ length: 20 }, (_, i) => source.emit(i));
    await jest.advanceTimersByTimeAsync(1000);
    await Promise.all(emits);
    expect(most).toBe(3);
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  test('a rejected call goes to errors and its element is dropped: 0..3 failing on 1 => [0, 2, 3]', async () => {
    const source = new Stream<number>();
    const failures: PipelineError[] = [];
    source.errors.sink((failure) => failures.push(failure));
    const out = source
      .mapAsync(async function flaky(x: number) {
        await sleep(1);
        if (x === 1) throw new Error('flaky');
        return x;
      })
      .sinkToList();
    const times = emitTimes(source, 4);
    await jest.advanceTimersByTimeAsync(10);
    await times;
    expect(out).toEqual([0, 2, 3]);
    expect(failures).toHaveLength(1);
    expect(failures[0].node).toBe('<mapAsync: flaky>');
    expect(failures[0].element).toBe(1);
    expect(failures[0].message).toContain('flaky');
  });

  test('a synchronous throw from fn reaches emit, also for an element that waited for a free call', async () => {
    const source = new Stream<number>();
    const out = source
      .mapAsync((x) => {
        if (x < 0) throw new RangeError('negative');
        return later(10, x);
      })
      .sinkToList();
    expect(() => source.emit(-1)).toThrow(RangeError);
    void source.emit(1);
    const waiting = source.emit(-2);
    const refused = expect(waiting).rejects.toThrow('negative');
    await jest.advanceTimersByTimeAsync(10);
    await refused;
    void source.emit(3);
    await jest.advanceTimersByTimeAsync(10);
    expect(out).toEqual([1, 3]);
  });

  test('a failing downstream goes to errors and later results still flow', async () => {
    const source = new Stream<number>();
    const failures: PipelineError[] = [];
    source.errors.sink((failure) => failures.push(failure));
    const written: number[] = [];
    source
      .mapAsync((x) => later(5, x), { parallelism: 2 })
      .sink(async (x) => {
        await sleep(5);
        if (x === 0) throw new Error('cannot write 0');
        written.push(x);
      });
    const emits = [0, 1, 2].map((x) => source.emit(x));
    await jest.advanceTimersByTimeAsync(50);
    await Promise.all(emits);
    expect(written).toEqual([1, 2]);
    expect(failures.map((failure) => failure.element)).toEqual([0]);
  });

  test('drain waits for running calls; paused while they run', async () => {
    const source = new Stream<number>();
    const mapped = source.mapAsync((x) => later(100, x * 2));
    const out = mapped.sinkToList();
    void source.emit(1);
    void source.emit(2);
    expect(mapped.state).toBe('paused');
    const drain = trackSettled(source.drain());
    await jest.advanceTimersByTimeAsync(199);
    expect(drain.settled).toBe(false);
    expect(out).toEqual([2]);
    await jest.advanceTimersByTimeAsync(1);
    await drain.done;
    expect(out).toEqual([2, 4]);
    await jest.advanceTimersByTimeAsync(1);
    expect(mapped.state).toBe('running');
  });

  test('bad arguments name the argument; toString', () => {
    const source = new Stream<number>();
    expect(() => source.mapAsync(5 as never)).toThrow(/^fn must be a function/);
    expect(() => source.mapAsync(async (x) => x, { parallelism: 0 })).toThrow(ArgumentRangeError);
    expect(() => source.mapAsync(async (x) => x, { parallelism: 1.5 })).toThrow(/^parallelism must be/);
    expect(() => source.mapAsync(async (x) => x, { parallelism: '2' as never })).toThrow(ArgumentTypeError);
    expect(() => source.mapAsync(async (x) => x, null as never)).toThrow(/^options must be/);
    expect(source.downstreams).toEqual([]);
    async function fetchPage(x: number): Promise<number> {
      return x;
    }
    expect(String(source.mapAsync(fetchPage))).toBe('<mapAsync: fetchPage>');
  });
});

describe('mapAsync property', () => {
  test('keeps input order, drops only rejected elements, never exceeds parallelism', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.record({ value: fc.integer(), fails: fc.boolean() }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        async (scheduler, elements, parallelism) => {
          const source = new Stream<{ value: number; fails: boolean }>();
          const failed: number[] = [];
          source.errors.sink((failure) => failed.push((failure.element as { value: number }).value));
          let running = 0;
          let most = 0;
          const out = source
            .mapAsync(
              (x) => {
                most = Math.max(most, ++running);
                return scheduler.schedule(Promise.resolve()).then(() => {
                  running--;
                  if (x.fails) throw new Error('scheduled failure');
                  return x.value;
                });
              },
              { parallelism },
            )
            .sinkToList();
          const emits = elements.map((x) => source.emit(x));
          await scheduler.waitFor(Promise.all(emits));
          await scheduler.waitFor(source.drain());
          expect(out).toEqual(elements.filter((x) => !x.fails).map((x) => x.value));
          expect(failed).toEqual(elements.filter((x) => x.fails).map((x) => x.value));
          expect(most).toBeLessThanOrEqual(parallelism);
        },
      ),
      { numRuns: 200 },
    );
  });
});
