import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Stream } from '../stream';
import { ArgumentTypeError } from '../errors';
import { requirePort } from '../validate';
import { boundPort, closeServer, listen } from './server';
import { registerSource, Source, startIfAsked, type SourceOptions } from './source';

export interface FromHttpServerOptions extends SourceOptions {
  /** The request paths to accept: a RegExp matched against the whole path, or one exact path. Default: all. */
  path?: RegExp | string;
  /** The interface to bind. Default `'127.0.0.1'`. */
  host?: string;
}

declare module '../stream' {
  namespace Stream {
    /**
     * An HTTP server on `port` (0: any free port, see `.port`) that emits the body of each POST to
     * a matching path as a Buffer. It answers 200 once downstream accepted the body, 500 with the
     * error when the pipeline threw, 404 off-path and 405 for other methods.
     */
    function fromHttpServer(port: number, options?: FromHttpServerOptions): FromHttpServer;
  }
}

export class FromHttpServer extends Source<Buffer> {
  readonly host: string;
  private readonly requestedPort: number;
  private readonly path: RegExp | string;
  private server: Server | undefined = undefined;

  constructor(port: number, options: FromHttpServerOptions = {}) {
    super(options);
    this.requestedPort = requirePort('port', port);
    this.path = wholePathMatcher(options.path ?? /.*/);
    this.host = options.host ?? '127.0.0.1';
  }

  /** The bound port once started (useful with port 0), else the requested one. */
  get port(): number {
    return boundPort(this.server, this.requestedPort);
  }

  override get kind(): string {
    return 'fromHttpServer';
  }

  protected override describe(): string | undefined {
    return String(this.port);
  }

  protected override open(): Promise<void> {
    const server = createServer((request, response) => void this.handle(request, response));
    this.server = server;
    return listen(server, this.requestedPort, this.host, String(this));
  }

  protected override close(): Promise<void> {
    const closed = closeServer(this.server);
    this.server?.closeAllConnections();
    return closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!this.accepts(new URL(request.url ?? '/', 'http://localhost').pathname)) return answer(response, 404, 'Not Found');
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      return answer(response, 405, 'Method Not Allowed');
    }
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      await this.offer(Buffer.concat(chunks));
      answer(response, 200, 'OK');
    } catch (error) {
      answer(response, 500, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  }

  private accepts(pathname: string): boolean {
    return typeof this.path === 'string' ? pathname === this.path : this.path.test(pathname);
  }
}

function wholePathMatcher(path: RegExp | string): RegExp | string {
  if (typeof path === 'string') return path;
  if (!(path instanceof RegExp)) throw new ArgumentTypeError('path', 'a RegExp or a string', path);
  return new RegExp(`^(?:${path.source})$`, path.flags.replace(/[gy]/g, ''));
}

function answer(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
}

export function fromHttpServer(port: number, options?: FromHttpServerOptions): FromHttpServer {
  return startIfAsked(new FromHttpServer(port, options), options);
}

registerSource('fromHttpServer', fromHttpServer);
