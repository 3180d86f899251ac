// Compile-time checks of the join operators' types (`npm run typecheck` and ts-jest verify the
// `@ts-expect-error` lines), with runtime assertions that the values match the types.
import { Stream } from '../../src';
import type { ElementOf } from '../../src/nodes/support/join';

/** True only when X and Y are the same type (not merely assignable). */
type Equals<X, Y> = (<V>() => V extends X ? 1 : 2) extends <V>() => V extends Y ? 1 : 2 ? true : false;

describe('join types', () => {
  test('zip: a tuple of the element types in argument order; literals keep their types', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const zipped = a.zip(b);
    const exact: Equals<ElementOf<typeof zipped>, [number, string]> = true;
    // @ts-expect-error the first element is a number
    const wrong: Stream<[string, string]> = a.zip(b);
    const withLiterals = a.zip(true, b, 7);
    const literalsExact: Equals<ElementOf<typeof withLiterals>, [number, boolean, string, number]> = true;
    const withOptions = a.zip(b, { maxsize: 2 });
    const optionsExact: Equals<ElementOf<typeof withOptions>, [number, string]> = true;
    // @ts-expect-error the options object is not a position of the tuple
    const optionsAsLiteral: Equals<ElementOf<typeof withOptions>, [number, string, { maxsize: number }]> = true;
    const self = a.zip(a);
    const selfExact: Equals<ElementOf<typeof self>, [number, number]> = true;
    const asUnknown: Stream<unknown> = zipped;

    const out = withLiterals.sinkToList();
    a.emit(1);
    b.emit('b');
    expect(out).toEqual([[1, true, 'b', 7]]);
    expect([exact, literalsExact, optionsExact, optionsAsLiteral, selfExact]).toEqual([true, true, true, true, true]);
    expect([wrong, asUnknown]).toEqual([expect.any(Stream), zipped]);
  });

  test('zipLatest and combineLatest: tuples of the element types; only streams are accepted', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const c = new Stream<boolean>();
    const latest = a.zipLatest(b, c);
    const latestExact: Equals<ElementOf<typeof latest>, [number, string, boolean]> = true;
    const combined = a.combineLatest(b, { emitOn: [0, b] });
    const combinedExact: Equals<ElementOf<typeof combined>, [number, string]> = true;
    // @ts-expect-error the second element is a string
    const wrong: Stream<[number, number]> = a.combineLatest(b);
    const asUnknown: Stream<unknown> = combined;
    // @ts-expect-error combineLatest takes no literals
    expect(() => a.combineLatest(b, 'x')).toThrow('others[1] must be a Stream');
    // @ts-expect-error emitOn takes streams and indexes
    expect(() => a.combineLatest(b, { emitOn: 'a' })).toThrow('emitOn must be');
    // @ts-expect-error zipLatest takes no literals
    expect(() => a.zipLatest(1)).toThrow('others[0] must be a Stream');

    const latestOut = latest.sinkToList();
    const combinedOut = combined.sinkToList();
    a.emit(1);
    b.emit('b');
    c.emit(false);
    expect(latestOut).toEqual([[1, 'b', false]]);
    expect(combinedOut).toEqual([[1, 'b']]);
    expect([latestExact, combinedExact]).toEqual([true, true]);
    expect([wrong, asUnknown]).toEqual([expect.any(Stream), combined]);
  });

  test('union: the union of the element types', () => {
    const a = new Stream<number>();
    const b = new Stream<string>();
    const united = a.union(b);
    const exact: Equals<ElementOf<typeof united>, number | string> = true;
    // @ts-expect-error elements may be strings
    const numbers: Stream<number> = a.union(b);
    // @ts-expect-error union takes no literals
    expect(() => a.union('x')).toThrow('others[0] must be a Stream');

    const out = united.sinkToList();
    a.emit(1);
    b.emit('b');
    expect(out).toEqual([1, 'b']);
    expect(exact).toBe(true);
    expect(numbers).toBeInstanceOf(Stream);
  });
});
