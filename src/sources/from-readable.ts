import { Readable } from 'node:stream';
import { ArgumentTypeError } from '../errors';
import { FromIterable } from './from-iterable';
import { registerSource, startIfAsked, type SourceOptions } from './source';

declare module '../stream' {
  namespace Stream {
    /**
     * Emits each chunk of a Node.js `Readable`, reading the next one only after downstream accepted
     * the previous one, so a busy pipeline leaves the readable paused (its own buffer fills up and
     * it stops reading). Finishes at the readable's end; a stream error fails the source.
     */
    function fromReadable<T = Buffer>(readable: Readable, options?: SourceOptions): FromReadable<T>;
  }
}

export class FromReadable<T> extends FromIterable<T> {
  constructor(readable: Readable, options?: SourceOptions) {
    if (!(readable instanceof Readable)) throw new ArgumentTypeError('readable', 'a Node.js Readable', readable);
    super(readable as AsyncIterable<T>, options);
  }

  override get kind(): string {
    return 'fromReadable';
  }
}

export function fromReadable<T = Buffer>(readable: Readable, options?: SourceOptions): FromReadable<T> {
  return startIfAsked(new FromReadable<T>(readable, options), options);
}

registerSource('fromReadable', fromReadable);
