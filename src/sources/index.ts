// Loading a source file registers its factory on Stream (`Stream.fromTcp`); keep one line per source file.
// The classes are exported for `instanceof` and custom sources; the functions equal the static factories.
export { Source, type SourceOptions } from './source';
export { FromIterable, fromIterable } from './from-iterable';
export { PollingSource, type PollingOptions } from './polling-source';
export { ServerSource, type ServerSourceOptions } from './server-source';
export { FromPeriodic, fromPeriodic } from './from-periodic';
export { FromTextFile, fromTextFile, type FromTextFileOptions } from './from-text-file';
export { Filenames, filenames } from './filenames';
export { FromTcp, fromTcp, type FromTcpOptions } from './from-tcp';
export { FromHttpServer, fromHttpServer, type FromHttpServerOptions } from './from-http-server';
export { FromProcess, fromProcess, type FromProcessOptions } from './from-process';
export { FromReadable, fromReadable } from './from-readable';
export { FromNats, fromNats, type FromNatsOptions } from './from-nats';
export { FromJetStream, type FromJetStreamOptions } from './from-jetstream';
