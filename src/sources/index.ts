// Loading a source file registers its factory on Stream (`Stream.fromTcp`); keep one line per source file.
export { Source, type SourceOptions } from './source';
export { FromIterable, fromIterable } from './from-iterable';
