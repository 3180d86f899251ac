// msgpackr ships its eval-free decoder without type declarations; it has the same API as 'msgpackr/unpack'.
declare module 'msgpackr/unpack-no-eval' {
  export { Unpackr, addExtension, type Options, type Extension } from 'msgpackr/unpack';
}
