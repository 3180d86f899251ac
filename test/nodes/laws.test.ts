import fc from 'fast-check';
import { Stream } from '../../src';
import { runPipeline } from '../support/run-pipeline';

const ints = fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 60 });
const smallInts = fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 60 });

describe('operator laws', () => {
  test('map identity: map(x => x) emits its input', () => {
    fc.assert(fc.property(ints, (xs) => expect(runPipeline(xs, (s) => s.map((x) => x))).toEqual(xs)));
  });

  test('map composition: map(f).map(g) equals map(g ∘ f)', () => {
    fc.assert(
      fc.property(ints, fc.func(fc.integer()), fc.func(fc.string()), (xs, f, g) => {
        expect(runPipeline(xs, (s) => s.map(f).map(g))).toEqual(runPipeline(xs, (s) => s.map((x) => g(f(x)))));
      }),
    );
  });

  test('async map keeps input order whatever order the results settle in', async () => {
    const delayed = fc.array(fc.tuple(fc.integer(), fc.nat({ max: 5 })), { maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(delayed, async (inputs) => {
        const source = new Stream<[number, number]>();
        const out = source
          .map(async ([x, ticks]: [number, number]) => {
            for (let tick = 0; tick < ticks; tick++) await Promise.resolve();
            return x;
          })
          .sinkToList();
        await Promise.all(inputs.map((input) => source.emit(input)));
        expect(out).toEqual(inputs.map(([x]) => x));
      }),
      { numRuns: 50 },
    );
  });

  test('filter(p) and remove(p) partition the input, each keeping input order', () => {
    fc.assert(
      fc.property(ints, fc.func(fc.boolean()), (xs, p) => {
        const tagged = xs.map((x, index) => ({ x, index }));
        const kept = runPipeline(tagged, (s) => s.filter((t) => p(t.x)));
        const removed = runPipeline(tagged, (s) => s.remove((t) => p(t.x)));
        expect(kept.every((t) => p(t.x))).toBe(true);
        expect(removed.every((t) => !p(t.x))).toBe(true);
        const merged = [...kept, ...removed].sort((a, b) => a.index - b.index);
        expect(merged).toEqual(tagged);
        expect(kept.map((t) => t.index)).toEqual([...kept.map((t) => t.index)].sort((a, b) => a - b));
        expect(removed.map((t) => t.index)).toEqual([...removed.map((t) => t.index)].sort((a, b) => a - b));
      }),
    );
  });

  test('partition(n) then flatten is the identity on complete groups', () => {
    fc.assert(
      fc.property(ints, fc.integer({ min: 1, max: 10 }), (xs, n) => {
        const groups = runPipeline(xs, (s) => s.partition(n));
        expect(groups.every((group) => group.length === n)).toBe(true);
        const complete = xs.length - (xs.length % n);
        expect(runPipeline(xs, (s) => s.partition(n).flatten())).toEqual(xs.slice(0, complete));
      }),
    );
  });

  test('partition with a key: every group has one key, and per key the groups are that key’s elements in order', () => {
    fc.assert(
      fc.property(smallInts, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), (xs, n, modulus) => {
        const keyOf = (x: number): number => x % modulus;
        const groups = runPipeline(xs, (s) => s.partition(n, { key: keyOf }));
        for (const group of groups) {
          expect(group).toHaveLength(n);
          expect(new Set(group.map(keyOf)).size).toBe(1);
        }
        for (let key = 0; key < modulus; key++) {
          const ofKey = xs.filter((x) => keyOf(x) === key);
          const emitted = groups.filter((group) => keyOf(group[0]) === key).flat();
          expect(emitted).toEqual(ofKey.slice(0, ofKey.length - (ofKey.length % n)));
        }
      }),
    );
  });

  test('slidingWindow(n): window i is the last n inputs up to i; returnPartial false drops the first n - 1', () => {
    fc.assert(
      fc.property(ints, fc.integer({ min: 1, max: 8 }), (xs, n) => {
        const partial = runPipeline(xs, (s) => s.slidingWindow(n));
        expect(partial).toEqual(xs.map((_, i) => xs.slice(Math.max(0, i - n + 1), i + 1)));
        const full = runPipeline(xs, (s) => s.slidingWindow(n, { returnPartial: false }));
        expect(full).toEqual(partial.slice(n - 1));
        expect(full.every((window) => window.length === n)).toBe(true);
      }),
    );
  });

  test('slidingWindow(n) with n above the input length emits the growing prefixes', () => {
    fc.assert(
      fc.property(ints, (xs) => {
        const windows = runPipeline(xs, (s) => s.slidingWindow(xs.length + 1));
        expect(windows).toEqual(xs.map((_, i) => xs.slice(0, i + 1)));
      }),
    );
  });

  test('unique() emits the first occurrence of each value, in order; a large enough maxsize changes nothing', () => {
    fc.assert(
      fc.property(smallInts, (xs) => {
        const firsts = xs.filter((x, i) => xs.indexOf(x) === i);
        expect(runPipeline(xs, (s) => s.unique())).toEqual(firsts);
        expect(runPipeline(xs, (s) => s.unique({ maxsize: 9 }))).toEqual(firsts);
      }),
    );
  });

  test('unique({ maxsize: 1 }) drops exactly the immediate repeats', () => {
    fc.assert(
      fc.property(smallInts, (xs) => {
        expect(runPipeline(xs, (s) => s.unique({ maxsize: 1 }))).toEqual(xs.filter((x, i) => i === 0 || xs[i - 1] !== x));
      }),
    );
  });

  test('partitionUnique(n): every group holds n distinct keys', () => {
    fc.assert(
      fc.property(smallInts, fc.integer({ min: 1, max: 5 }), fc.constantFrom('first' as const, 'last' as const), (xs, n, keep) => {
        for (const group of runPipeline(xs, (s) => s.partitionUnique(n, { keep }))) {
          expect(group).toHaveLength(n);
          expect(new Set(group).size).toBe(n);
        }
      }),
    );
  });

  test('slice(start, end, step) keeps indexes i with start <= i < end and i % step === 0', () => {
    fc.assert(
      fc.property(ints, fc.nat({ max: 70 }), fc.nat({ max: 70 }), fc.integer({ min: 1, max: 5 }), (xs, start, end, step) => {
        const expected = xs.filter((_, i) => i >= start && i < end && i % step === 0);
        expect(runPipeline(xs, (s) => s.slice(start, end, step))).toEqual(expected);
      }),
    );
  });

  test('flatten of arrays is their concatenation; collect then flush returns everything', () => {
    fc.assert(
      fc.property(fc.array(ints, { maxLength: 10 }), (arrays) => {
        expect(runPipeline(arrays, (s) => s.flatten())).toEqual(arrays.flat());
        const source = new Stream<number[]>();
        const collector = source.collect();
        const out = collector.sinkToList();
        for (const a of arrays) source.emit(a);
        collector.flush();
        expect(out).toEqual([arrays]);
      }),
    );
  });

  test('the last frequencies object counts every element', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'toString', '__proto__'), { minLength: 1, maxLength: 40 }), (xs) => {
        const counts = runPipeline(xs, (s) => s.frequencies());
        const expected = new Map<string, number>();
        for (const x of xs) expected.set(x, (expected.get(x) ?? 0) + 1);
        expect(new Map(Object.entries(counts[counts.length - 1]))).toEqual(expected);
      }),
    );
  });
});
