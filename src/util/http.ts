import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts `server` on `host:port` (0: the system picks) and resolves with the port it got. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolved, rejected) => {
    server.once('error', rejected);
    server.listen(port, host, () => {
      server.off('error', rejected);
      resolved((server.address() as AddressInfo).port);
    });
  });
}

/** `http://host:port/path`, an IPv6 host in brackets. */
export function httpUrl(host: string, port: number, path: string): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
}

/** Stops `server`, ending open connections too (server-sent events would hold it open). */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((done) => server.close(() => done()));
}

/** Answers with `body`, never cached. */
export function reply(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
  response.end(body);
}
