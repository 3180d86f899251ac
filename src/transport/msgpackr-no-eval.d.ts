// msgpackr ships its eval-free decoder without type declarations; it has the same API as 'msgpackr/unpack'.
declare module 'msgpackr/unpack-no-eval' {
  export { Unpackr, addExtension, type Options, type Extension } from 'msgpackr/unpack';
  /** What msgpackr returns for the reserved byte 0xc1. */
  export const C1: object;
}
