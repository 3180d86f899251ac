import { createServer, type Server, type Socket } from 'node:net';
import { ArgumentTypeError } from '../errors';
import { DelimitedSplitter } from './delimited';
import { ServerSource, type ServerSourceOptions } from './server-source';
import { registerSource, startIfAsked } from './source';

export interface FromTcpOptions extends ServerSourceOptions {
  /** Ends each emitted part (included in it). Default `'\n'`. */
  delimiter?: string | Uint8Array;
}

declare module '../stream' {
  namespace Stream {
    /**
     * A TCP server on `port` (0: any free port, see `.port`): emits the bytes of each connection up
     * to and including the delimiter, reading the next part of a connection only after downstream
     * accepted the previous one. `stop()` closes the server and its connections.
     */
    function fromTcp(port: number, options?: FromTcpOptions): FromTcp;
  }
}

export class FromTcp extends ServerSource<Buffer> {
  private readonly delimiter: Buffer;
  private readonly sockets = new Set<Socket>();

  constructor(port: number, options: FromTcpOptions = {}) {
    super(port, options);
    this.delimiter = toDelimiter(options.delimiter ?? '\n');
  }

  override get kind(): string {
    return 'fromTcp';
  }

  protected override createServer(): Server {
    return createServer((socket) => void this.serve(socket));
  }

  protected override close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return super.close();
  }

  private async serve(socket: Socket): Promise<void> {
    this.sockets.add(socket);
    const splitter = new DelimitedSplitter(this.delimiter);
    try {
      for await (const chunk of socket) {
        for (const part of splitter.push(chunk as Buffer)) {
          const accepted = this.deliver(part);
          if (accepted !== undefined) await accepted;
        }
      }
    } catch (error) {
      if (this.isRunning) this.reportError(undefined, error);
    } finally {
      this.sockets.delete(socket);
    }
  }
}

function toDelimiter(delimiter: string | Uint8Array): Buffer {
  if ((typeof delimiter === 'string' || delimiter instanceof Uint8Array) && delimiter.length > 0) return Buffer.from(delimiter);
  throw new ArgumentTypeError('delimiter', 'a non-empty string or Buffer', delimiter);
}

export function fromTcp(port: number, options?: FromTcpOptions): FromTcp {
  return startIfAsked(new FromTcp(port, options), options);
}

registerSource('fromTcp', fromTcp);
