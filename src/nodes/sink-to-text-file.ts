import { createWriteStream, openSync } from 'node:fs';
import { Stream, type StreamOptions } from '../stream';
import { ArgumentTypeError } from '../errors';
import { ToWritable } from './to-writable';

export interface SinkToTextFileOptions extends StreamOptions {
  /** Written after each element. Default `'\n'`. */
  end?: string;
  /** How the file is opened (`fs.open` flags): `'a'` appends, `'w'` truncates. Default `'a'`. */
  flags?: string;
}

declare module '../stream' {
  interface Stream<T> {
    /**
     * Writes each string (or Buffer) element followed by `end` to the file at `path`, opened
     * when the node is built (a bad path throws then). `emit` waits when the file falls behind;
     * `drain()` waits until every element is written; `destroy()` closes the file.
     */
    sinkToTextFile(path: string, options?: SinkToTextFileOptions): SinkToTextFile<T>;
  }
}

export class SinkToTextFile<T> extends ToWritable<T> {
  readonly path: string;
  private readonly end: string;
  private readonly endBytes: Buffer;

  constructor(upstream: Stream<T>, path: string, options: SinkToTextFileOptions = {}) {
    if (typeof path !== 'string' || path === '') throw new ArgumentTypeError('path', 'a non-empty string', path);
    const end = options.end ?? '\n';
    if (typeof end !== 'string') throw new ArgumentTypeError('end', 'a string', end);
    super(upstream, createWriteStream('', { fd: openSync(path, options.flags ?? 'a') }), { name: options.name, end: true });
    this.path = path;
    this.end = end;
    this.endBytes = Buffer.from(end);
  }

  override get kind(): string {
    return 'sinkToTextFile';
  }

  protected override describe(): string | undefined {
    return this.path;
  }

  protected override chunk(x: T): unknown {
    if (typeof x === 'string') return x + this.end;
    if (x instanceof Uint8Array) return Buffer.concat([x, this.endBytes]);
    throw new ArgumentTypeError('element', 'a string or Buffer', x);
  }
}

Stream.registerApi('sinkToTextFile', (upstream, path: string, options?: SinkToTextFileOptions) => new SinkToTextFile(upstream, path, options));
