/**
 * `rivulet worker --metrics-port`: Prometheus text at `/metrics`, and the probes a container
 * platform asks: `/healthz` (the process answers) and `/readyz` (connected, in the pool, not draining).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { PROMETHEUS_CONTENT_TYPE, renderLiveMetrics } from '../metrics/prometheus';
import { closeServer, httpUrl, listen, reply } from '../util/http';

export interface MetricsServer {
  /** Where `/metrics` is served. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the server; `serving()` answers `/readyz`. */
export async function startWorkerMetrics(serving: () => boolean, port: number, host: string): Promise<MetricsServer> {
  const server = createServer((request, response) => route(request, response, serving));
  const actual = await listen(server, port, host);
  return { url: httpUrl(host, actual, '/metrics'), close: () => closeServer(server) };
}

function route(request: IncomingMessage, response: ServerResponse, serving: () => boolean): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'text/plain', 'method not allowed');
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path === '/metrics') return reply(response, 200, PROMETHEUS_CONTENT_TYPE, renderLiveMetrics());
  if (path === '/healthz') return reply(response, 200, 'text/plain', 'ok\n');
  if (path === '/readyz') return serving() ? reply(response, 200, 'text/plain', 'ready\n') : reply(response, 503, 'text/plain', 'not ready\n');
  reply(response, 404, 'text/plain', 'not found');
}
