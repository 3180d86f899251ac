import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ignore } from '../util/promise';
import { ArgumentTypeError, describeError } from '../errors';
import { ServerSource, type ServerSourceOptions } from './server-source';
import { registerSource, startIfAsked } from './source';

export interface FromHttpServerOptions extends ServerSourceOptions {
  /** The request paths to accept: a RegExp matched against the whole path, or one exact path. Default: all. */
  path?: RegExp | string;
}

declare module '../stream' {
  namespace Stream {
    /**
     * An HTTP server on `port` (0: any free port, see `.port`) that emits the body of each POST to
     * a matching path as a Buffer, one at a time. It answers 200 once downstream accepted the body,
     * 500 with the error when the pipeline threw, 404 off-path and 405 for other methods.
     */
    function fromHttpServer(port: number, options?: FromHttpServerOptions): FromHttpServer;
  }
}

export class FromHttpServer extends ServerSource<Buffer> {
  private readonly path: RegExp | string;
  protected declare server: Server | undefined;
  private previousTurn: Promise<void> = Promise.resolve();

  constructor(port: number, options: FromHttpServerOptions = {}) {
    super(port, options);
    this.path = wholePathMatcher(options.path ?? /.*/);
  }

  override get kind(): string {
    return 'fromHttpServer';
  }

  protected override createServer(): Server {
    return createServer((request, response) => void this.handle(request, response));
  }

  protected override close(): Promise<void> {
    const closed = super.close();
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
      await this.offerInTurn(Buffer.concat(chunks));
      answer(response, 200, 'OK');
    } catch (error) {
      answer(response, 500, describeError(error));
    }
  }

  /** Emits `body` once downstream accepted every earlier body, so concurrent requests queue up. */
  private offerInTurn(body: Buffer): Promise<void> {
    const turn = this.previousTurn.then(() => this.offer(body));
    this.previousTurn = turn.catch(ignore);
    return turn;
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
