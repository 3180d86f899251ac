/** fast-check mutations of encoded messages for wire fuzzing: keep, flip a byte, truncate, insert, delete. */
import fc from 'fast-check';

export type Mutation = (bytes: Uint8Array) => Uint8Array;

export const byteMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant((bytes: Uint8Array) => bytes),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, mask]): Mutation => (bytes) => {
    const copy = bytes.slice();
    copy[at % copy.length] ^= mask;
    return copy;
  }),
  fc.nat().map((at): Mutation => (bytes) => bytes.subarray(0, at % bytes.length)),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, inserted]): Mutation => (bytes) => {
    const cut = at % (bytes.length + 1);
    return Uint8Array.from([...bytes.subarray(0, cut), ...inserted, ...bytes.subarray(cut)]);
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 8 })).map(([at, count]): Mutation => (bytes) => {
    const cut = at % bytes.length;
    return Uint8Array.from([...bytes.subarray(0, cut), ...bytes.subarray(cut + count)]);
  }),
);
