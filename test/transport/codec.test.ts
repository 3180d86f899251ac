import fc from 'fast-check';
import { Codec, CODEC_VERSION, DecodeError, EncodeError, SEALED_FRAME_MARKER, SealedFrame } from '../../src/transport/codec';
import { ArgumentRangeError } from '../../src/errors';

const codec = new Codec();
const roundTrip = (value: unknown): unknown => codec.decode(codec.encode(value));

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('Codec', () => {
  test.each([
    ['integers', [0, 1, -1, 127, 128, 65535, 2 ** 31, -(2 ** 40), Number.MAX_SAFE_INTEGER]],
    ['floats', [1.5, -0.25, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity]],
    ['strings', ['', 'a', 'ünïcødé ✓', 'x'.repeat(70_000)]],
    ['null and undefined stay distinct', [null, undefined, [null, undefined], { a: null, b: undefined }]],
    ['booleans', [true, false]],
    ['bigints', [0n, 5n, -5n, 2n ** 63n - 1n, 2n ** 100n, -(2n ** 70n)]],
    ['dates', [new Date(0), new Date('2024-02-29T12:34:56.789Z')]],
    ['nested plain objects and arrays', [{ a: [1, { b: 'c' }], d: {} }, [], [[[]]]]],
  ])('round-trips %s', (_name, values) => {
    for (const value of values) expect(roundTrip(value)).toEqual(value);
  });

  test('NaN round-trips; -0 arrives as 0 (msgpack writes it as the integer 0)', () => {
    expect(roundTrip(NaN)).toBeNaN();
    expect(Object.is(roundTrip(-0), 0)).toBe(true);
  });

  test('undefined and null keep their identity, also as object fields', () => {
    const decoded = roundTrip({ a: undefined, b: null }) as Record<string, unknown>;
    expect('a' in decoded).toBe(true);
    expect(decoded.a).toBeUndefined();
    expect(decoded.b).toBeNull();
    expect(roundTrip(undefined)).toBeUndefined();
  });

  test('Buffers come back as Buffers and Uint8Arrays as Uint8Arrays', () => {
    const buffer = roundTrip(Buffer.from([1, 2, 3]));
    const bytes = roundTrip(new Uint8Array([4, 5, 6]));
    expect(Buffer.isBuffer(buffer)).toBe(true);
    expect([...(buffer as Buffer)]).toEqual([1, 2, 3]);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...(bytes as Uint8Array)]).toEqual([4, 5, 6]);
  });

  test('decoded bytes and strings stay intact when later messages are decoded', () => {
    const first = codec.decode(codec.encode({ bytes: Buffer.from([1, 2, 3]), typed: new Uint8Array([4, 5]), text: 'first' }));
    codec.decode(codec.encode({ bytes: Buffer.from([9, 9, 9]), typed: new Uint8Array([9, 9]), text: 'other' }));
    expect(first).toEqual({ bytes: Buffer.from([1, 2, 3]), typed: new Uint8Array([4, 5]), text: 'first' });
    const large = Buffer.alloc(10_000, 7);
    const decodedLarge = codec.decode(codec.encode(large)) as Buffer;
    codec.decode(codec.encode(Buffer.alloc(10_000, 8)));
    expect(decodedLarge.equals(large)).toBe(true);
  });

  test('Maps (any keys, nested) and Sets round-trip as Maps and Sets', () => {
    const value = { m: new Map<unknown, unknown>([[1, 'one'], ['k', new Map([[2n, [new Set([1, 'x'])]]])], [null, { z: 1 }]]) };
    const decoded = roundTrip(value) as { m: Map<unknown, unknown> };
    expect(decoded.m).toBeInstanceOf(Map);
    expect(decoded).toEqual(value);
    expect(roundTrip(new Set([1, 'a', new Map()]))).toEqual(new Set([1, 'a', new Map()]));
  });

  test('encoding leaves the value untouched', () => {
    const inner = new Map([[1, 2]]);
    const value = { list: [inner], plain: [1, 2] };
    codec.encode(value);
    expect(value.list[0]).toBe(inner);
    expect(value).toEqual({ list: [new Map([[1, 2]])], plain: [1, 2] });
  });

  test('the envelope starts with the version', () => {
    const bytes = codec.encode('x');
    expect(bytes[0]).toBe(0x92);
    expect(bytes[1]).toBe(CODEC_VERSION);
  });

  test('values nested deeper than maxDepth, or cyclic, are refused on encode', () => {
    const small = new Codec({ maxDepth: 8 });
    expect(() => small.encode(nested(7))).not.toThrow();
    expect(() => small.encode(nested(9))).toThrow(EncodeError);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => codec.encode(cyclic)).toThrow(EncodeError);
  });

  test('values over maxPayload are refused on encode, and functions or symbols cannot be sent', () => {
    expect(() => new Codec({ maxPayload: 100 }).encode('x'.repeat(200))).toThrow(EncodeError);
    expect(() => codec.encode(Symbol('s'))).toThrow(EncodeError);
  });

  test('functions, symbols and class instances with methods are refused wherever they sit, naming the type', () => {
    class Point {
      constructor(readonly x: number) {}
      norm(): number {
        return Math.abs(this.x);
      }
    }
    function handler(): void {}
    expect(() => codec.encode(handler)).toThrow(new EncodeError('cannot send a function (handler): only data travels'));
    expect(() => codec.encode({ on: [handler] })).toThrow('cannot send a function (handler)');
    expect(() => codec.encode([() => 1])).toThrow('cannot send a function: only data travels');
    expect(() => codec.encode(new Map([[1, Symbol('s')]]))).toThrow('cannot send a symbol (Symbol(s))');
    expect(() => codec.encode([new Point(1)])).toThrow('cannot send an instance of class Point: its methods (norm) would not travel; send a plain object');
    expect(() => codec.encode(new URL('http://x'))).toThrow('instance of class URL');
  });

  test('BigInt, Map, Set, Date, Buffer, RegExp, errors and method-less class instances still travel', () => {
    class Plain {
      constructor(readonly x: number) {}
    }
    const value = { n: 2n ** 70n, m: new Map([[1, 'a']]), s: new Set([1]), d: new Date(5), b: Buffer.from('ab'), r: /a+/g, p: new Plain(1) };
    expect(roundTrip(value)).toEqual({ ...value, p: { x: 1 } });
    expect(roundTrip(new RangeError('e'))).toEqual(new RangeError('e'));
  });

  test('decode rejects oversized, too deep, unknown-version and malformed input with a typed DecodeError', () => {
    const kindOf = (decoder: Codec, bytes: Uint8Array): string => {
      try {
        decoder.decode(bytes);
        return 'accepted';
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
        return (error as DecodeError).kind;
      }
    };
    expect(kindOf(new Codec({ maxPayload: 10 }), codec.encode('x'.repeat(20)))).toBe('oversized');
    expect(kindOf(new Codec({ maxDepth: 80 }), new Codec({ maxDepth: 100 }).encode(nested(90)))).toBe('too-deep');
    const deepBytes = Buffer.alloc(200_000, 0x91);
    deepBytes[0] = 0x92;
    deepBytes[1] = CODEC_VERSION;
    deepBytes[deepBytes.length - 1] = 1;
    expect(kindOf(codec, deepBytes)).toBe('too-deep');
    expect(kindOf(codec, Uint8Array.from([0x92, 0x07, 0x01]))).toBe('unknown-version');
    expect(kindOf(codec, Uint8Array.from([0x01]))).toBe('malformed');
    expect(kindOf(codec, Uint8Array.from([]))).toBe('malformed');
    expect(kindOf(codec, Uint8Array.from([0x92, CODEC_VERSION]))).toBe('malformed');
    expect(kindOf(codec, Uint8Array.from([0x92, CODEC_VERSION, 0x01, 0x02]))).toBe('malformed');
    expect(kindOf(codec, Uint8Array.from([0x92, CODEC_VERSION, 0xd4, 0x4d, 0x01]))).toBe('malformed');
    expect(kindOf(codec, Uint8Array.from([0x92, CODEC_VERSION, 0xc1]))).toBe('malformed');
    expect(kindOf(codec, Uint8Array.from([0x92, CODEC_VERSION, 0x91, 0xc1]))).toBe('malformed');
  });

  test('structured-clone references from a peer are refused', () => {
    const { Packr } = jest.requireActual<typeof import('msgpackr')>('msgpackr');
    const shared = { x: 1 };
    const bytes = new Packr({ structuredClone: true, useRecords: false }).pack([CODEC_VERSION, [shared, shared]]);
    expect(() => codec.decode(bytes)).toThrow(DecodeError);
  });

  test('a codec that carries sealed frames sends them as they are and hands such bytes over as they are; others envelope them and refuse such bytes', () => {
    const frame = SealedFrame.from([SEALED_FRAME_MARKER, 1, 2, 3]);
    const carrying = new Codec({ maxPayload: 64 });
    carrying.carrySealedFrames();
    expect(carrying.encode(frame)).toBe(frame);
    expect(carrying.decode(frame)).toBe(frame);
    expect(() => carrying.encode(new SealedFrame(65))).toThrow(EncodeError);
    const plain = new Codec();
    expect(plain.encode(frame)[0]).toBe(0x92);
    expect([...(plain.decode(plain.encode(frame)) as Uint8Array)]).toEqual([...frame]);
    expect(() => plain.decode(frame)).toThrow(DecodeError);
    // An element that merely starts with the marker is data, enveloped like any other, on both.
    const element = Buffer.from([SEALED_FRAME_MARKER, 9]);
    expect(carrying.decode(carrying.encode(element))).toEqual(element);
  });

  test('bad limits are refused', () => {
    expect(() => new Codec({ maxDepth: 0 })).toThrow(ArgumentRangeError);
    expect(() => new Codec({ maxPayload: 1.5 })).toThrow(ArgumentRangeError);
  });
});

describe('Codec properties', () => {
  const wireValue = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.integer(),
      fc.double().map((x) => (Object.is(x, -0) ? 0 : x)),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
      fc.date({ noInvalidDate: true }),
      fc.uint8Array({ maxLength: 20 }),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.string().filter((key) => key !== '__proto__'), tie('value'), { maxKeys: 4 }),
      fc.array(fc.tuple(fc.oneof(fc.string(), fc.integer()), tie('value')), { maxLength: 3 }).map((entries) => new Map(entries)),
      fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 4 }).map((items) => new Set(items)),
    ),
  })).value;

  test('decode(encode(x)) equals x', () => {
    fc.assert(
      fc.property(wireValue, (value) => {
        expect(roundTrip(value)).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  test('random bytes either decode or raise DecodeError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, withHead) => {
        const input = withHead ? Uint8Array.from([0x92, CODEC_VERSION, ...bytes]) : bytes;
        try {
          codec.decode(input);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('every strict prefix of an encoded message raises DecodeError', () => {
    fc.assert(
      fc.property(wireValue, fc.nat(), (value, cut) => {
        const bytes = codec.encode(value);
        const prefix = bytes.subarray(0, cut % bytes.length);
        expect(() => codec.decode(prefix)).toThrow(DecodeError);
      }),
      { numRuns: 300 },
    );
  });
});
