import fc from 'fast-check';
import { ArgumentRangeError, ArgumentTypeError, PipelineError, Stream } from '../../src';
import { emitTimes } from '../support/emit-times';
import { sleep } from '../support/sleep';
import { slowWriter } from '../support/slow-writer';
import { trackSettled } from '../support/track-settled';

function inc(x: number): number {
  return x + 1;
}

describe('buffer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('buffer(2) with a 100 ms async sink: emits 0-2 resolve at once, then at 100 and 200', async () => {
    const source = new Stream<number>();
    const { written: out, write } = slowWriter(100);
    source.buffer(2).sink(write);
    const times = emitTimes(source, 5);
    await jest.advanceTimersByTimeAsync(200);
    expect(await times).toEqual([0, 0, 0, 100, 200]);
    await jest.advanceTimersByTimeAsync(300);
    expect(out).toEqual([0, 1, 2, 3, 4]);
  });

  test('test_buffer: map(inc).buffer(10).map(inc).rateLimit(50)', async () => {
    const source = new Stream<number>();
    const out = source.map(inc).buffer(10).map(inc).rateLimit(50).sinkToList();
    expect(await emitTimes(source, 10)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(out).toEqual([2]);
    const more = emitTimes(source, 5, 10);
    await jest.advanceTimersByTimeAsync(200);
    expect(await more).toEqual([0, 0, 50, 100, 150]);
    expect(out).toEqual([2, 3, 4, 5, 6]);
    await jest.advanceTimersByTimeAsync(600);
    expect(out).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  });

  test('test_await_syntax: buffer(3) and a 100 ms async sink, 6 emits take 200 ms', async () => {
    const source = new Stream<number>();
    const { written: out, write } = slowWriter(100);
    source.map(inc).buffer(3).sink(write);
    const times = emitTimes(source, 6);
    await jest.advanceTimersByTimeAsync(200);
    expect(await times).toEqual([0, 0, 0, 0, 100, 200]);
    expect(out).toEqual([1, 2]);
  });

  test('passes elements through synchronously when the downstream is synchronous', () => {
    const source = new Stream<number>();
    const buffered = source.buffer(1);
    const out = buffered.sinkToList();
    for (let i = 0; i < 5; i++) expect(source.emit(i)).toBeUndefined();
    expect(out).toEqual([0, 1, 2, 3, 4]);
    expect(buffered.state).toBe('running');
  });

  test('a failing async downstream goes to errors and later elements still flow', async () => {
    const source = new Stream<number>();
    const failures: PipelineError[] = [];
    source.errors.sink((failure) => failures.push(failure));
    const out: number[] = [];
    source.buffer(2).sink(async (x) => {
      await sleep(10);
      if (x === 1) throw new Error('bad element');
      out.push(x);
    });
    const times = emitTimes(source, 4);
    await jest.advanceTimersByTimeAsync(100);
    await times;
    expect(out).toEqual([0, 2, 3]);
    expect(failures.map((failure) => failure.element)).toEqual([1]);
    expect(failures[0].node).toBe('<buffer>');
    expect(failures[0].message).toContain('bad element');
  });

  test('a synchronous downstream failure goes to errors instead of emit (streamz: the buffer died)', () => {
    const source = new Stream<number>();
    const failures: PipelineError[] = [];
    source.errors.sink((failure) => failures.push(failure));
    const out = source
      .buffer(2)
      .map((x) => {
        if (x === 0) throw new RangeError('zero');
        return 1 / x;
      })
      .sinkToList();
    expect(source.emit(0)).toBeUndefined();
    source.emit(4);
    expect(out).toEqual([0.25]);
    expect(failures.map((failure) => failure.element)).toEqual([0]);
    expect(failures[0].error).toBeInstanceOf(RangeError);
  });

  test('drain waits for queued and in-flight elements', async () => {
    const source = new Stream<number>();
    const { written: out, write } = slowWriter(100);
    source.buffer(3).sink(write);
    for (let i = 0; i < 3; i++) await source.emit(i);
    const drain = trackSettled(source.drain());
    await jest.advanceTimersByTimeAsync(299);
    expect(drain.settled).toBe(false);
    expect(out).toEqual([0, 1]);
    await jest.advanceTimersByTimeAsync(1);
    await drain.done;
    expect(out).toEqual([0, 1, 2]);
  });

  test('is paused while it holds elements and running again once empty', async () => {
    const source = new Stream<number>();
    const buffered = source.buffer(1);
    buffered.sink(() => sleep(100));
    void source.emit(0);
    void source.emit(1);
    const blocked = source.emit(2);
    expect(blocked).toBeInstanceOf(Promise);
    expect(buffered.state).toBe('paused');
    await jest.advanceTimersByTimeAsync(300);
    await blocked;
    expect(buffered.state).toBe('paused');
    await jest.advanceTimersByTimeAsync(1);
    expect(buffered.state).toBe('running');
  });

  test('bad arguments name n', () => {
    const source = new Stream<number>();
    expect(() => source.buffer(0)).toThrow(ArgumentRangeError);
    expect(() => source.buffer(0)).toThrow(/^n must be/);
    expect(() => source.buffer(1.5)).toThrow(ArgumentRangeError);
    expect(() => source.buffer('2' as unknown as number)).toThrow(ArgumentTypeError);
    expect(source.downstreams).toEqual([]);
  });

  test('toString is <buffer>', () => {
    expect(String(new Stream().buffer(2))).toBe('<buffer>');
  });
});

describe('buffer property', () => {
  test('buffer never reorders or drops', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.record({ value: fc.integer(), async: fc.boolean(), settleSome: fc.boolean() }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        async (scheduler, elements, n) => {
          const source = new Stream<{ value: number; async: boolean }>();
          const delivered: number[] = [];
          let inFlight = 0;
          let maxInFlight = 0;
          source.buffer(n).sink((x) => {
            delivered.push(x.value);
            if (!x.async) return undefined;
            maxInFlight = Math.max(maxInFlight, ++inFlight);
            return scheduler.schedule(Promise.resolve()).then(() => {
              inFlight--;
            });
          });
          const emits: unknown[] = [];
          for (const { value, async, settleSome } of elements) {
            emits.push(source.emit({ value, async }));
            if (settleSome && scheduler.count() > 0) await scheduler.waitOne();
          }
          await scheduler.waitFor(Promise.all(emits));
          await scheduler.waitFor(source.drain());
          expect(delivered).toEqual(elements.map(({ value }) => value));
          expect(maxInFlight).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 200 },
    );
  });
});
