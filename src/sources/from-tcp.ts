import { createServer, type Server, type Socket } from 'node:net';
import { Stream } from '../stream';
import { ArgumentTypeError } from '../errors';
import { requirePort } from '../validate';
import { DelimitedSplitter } from './delimited';
import { boundPort, closeServer, listen } from './server';
import { registerSource, Source, startIfAsked, type SourceOptions } from './source';

export interface FromTcpOptions extends SourceOptions {
  /** Ends each emitted part (included in it). Default `'\n'`. */
  delimiter?: string | Uint8Array;
  /** The interface to bind. Default `'127.0.0.1'`. */
  host?: string;
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

export class FromTcp extends Source<Buffer> {
  readonly host: string;
  private readonly requestedPort: number;
  private readonly delimiter: Buffer;
  private server: Server | undefined = undefined;
  private readonly sockets = new Set<Socket>();

  constructor(port: number, options: FromTcpOptions = {}) {
    super(options);
    this.requestedPort = requirePort('port', port);
    this.delimiter = toDelimiter(options.delimiter ?? '\n');
    this.host = options.host ?? '127.0.0.1';
  }

  /** The bound port once started (useful with port 0), else the requested one. */
  get port(): number {
    return boundPort(this.server, this.requestedPort);
  }

  override get kind(): string {
    return 'fromTcp';
  }

  protected override describe(): string | undefined {
    return String(this.port);
  }

  protected override open(): Promise<void> {
    const server = createServer((socket) => void this.serve(socket));
    this.server = server;
    return listen(server, this.requestedPort, this.host, String(this));
  }

  protected override close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return closeServer(this.server);
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
