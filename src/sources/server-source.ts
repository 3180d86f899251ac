import type { Server } from 'node:net';
import { requirePort } from '../validate';
import { Source, type SourceOptions } from './source';

export interface ServerSourceOptions extends SourceOptions {
  /** The interface to bind. Default `'127.0.0.1'`. */
  host?: string;
}

/** A source that listens on a port from `start()` to `stop()`; `toString()` shows the port. */
export abstract class ServerSource<T> extends Source<T> {
  readonly host: string;
  private readonly requestedPort: number;
  protected server: Server | undefined = undefined;

  constructor(port: number, options: ServerSourceOptions = {}) {
    super(options);
    this.requestedPort = requirePort('port', port);
    this.host = options.host ?? '127.0.0.1';
  }

  /** The bound port once started (useful with port 0), else the requested one. */
  get port(): number {
    const address = this.server?.address();
    return address !== null && typeof address === 'object' ? address.port : this.requestedPort;
  }

  protected override describe(): string | undefined {
    return String(this.port);
  }

  /** A new server whose connections feed this source. */
  protected abstract createServer(): Server;

  protected override open(): Promise<void> {
    const server = this.createServer();
    this.server = server;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        const reason = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${error.code ?? error.message})`;
        reject(new Error(`${this}: port ${this.requestedPort} on ${this.host} ${reason}`, { cause: error }));
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(this.requestedPort, this.host);
    });
  }

  /** Stops accepting connections; resolves once the server is closed. */
  protected override close(): Promise<void> {
    const server = this.server;
    if (server === undefined || !server.listening) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
