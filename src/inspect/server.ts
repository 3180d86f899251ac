import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import type { Stream } from '../stream';
import { requirePort } from '../validate';
import { closeServer, httpUrl, listen, reply } from '../util/http';
import { PROMETHEUS_CONTENT_TYPE, renderLiveMetrics } from '../metrics/prometheus';
import { toInspectTarget } from './inspect';
import { InspectionModel, type InspectTarget, type ModelOptions } from './model';
import { EventChannel } from './sse';

export interface DashboardOptions extends ModelOptions {
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Default `127.0.0.1`: the dashboard is for this machine unless you say otherwise. */
  host?: string;
  /** Milliseconds between live updates (default 500). */
  interval?: number;
}

export interface Dashboard {
  /** `http://<host>:<port>/status` */
  readonly url: string;
  readonly port: number;
  readonly model: InspectionModel;
  close(): Promise<void>;
}

interface Asset {
  type: string;
  body: Buffer;
}

const STATIC_FILES: Record<string, string> = {
  '/status': 'index.html',
  '/inspect': 'inspector.html',
  '/static/dashboard.js': 'dashboard.js',
  '/static/links.js': 'links.js',
  '/static/inspector.js': 'inspector.js',
  '/static/dashboard.css': 'dashboard.css',
};

/** Served from node_modules so the page works with no internet. */
const VENDOR_FILES: Record<string, [pkg: string, file: string]> = {
  '/vendor/dagre.min.js': ['@dagrejs/dagre', 'dist/dagre.min.js'],
  '/vendor/uPlot.iife.min.js': ['uplot', 'dist/uPlot.iife.min.js'],
  '/vendor/uPlot.min.css': ['uplot', 'dist/uPlot.min.css'],
};

/**
 * Serves the live dashboard: `/status` (the page), `/api/state` (the model as last sampled, JSON),
 * `/api/events` (the model every `interval` ms, as server-sent events), `/inspect` (the actor
 * inspector) with `/api/inspect?actor=<id>`, and `/metrics` (every node and worker of this process, Prometheus text).
 */
export async function startDashboard(target: Stream<unknown> | InspectTarget, options: DashboardOptions = {}): Promise<Dashboard> {
  const { port = 8787, host = '127.0.0.1', interval = 500, ...modelOptions } = options;
  requirePort('port', port);
  if (typeof host !== 'string') throw new ArgumentTypeError('host', 'a string', host);
  if (!(interval > 0)) throw new ArgumentRangeError('interval', 'a positive number of milliseconds', interval);
  const assets = loadAssets();
  const model = new InspectionModel(toInspectTarget(target), modelOptions);
  const events = new EventChannel();
  const server = createServer((request, response) => route(request, response, { assets, model, events }));
  let actual: number;
  try {
    actual = await listen(server, port, host);
  } catch (error) {
    model.close();
    throw error;
  }
  const timer = setInterval(() => events.send('state', model.sample()), interval);
  timer.unref();
  return {
    url: httpUrl(host, actual, '/status'),
    port: actual,
    model,
    close: async () => {
      clearInterval(timer);
      events.close();
      model.close();
      await closeServer(server);
    },
  };
}

function route(request: IncomingMessage, response: ServerResponse, context: { assets: Map<string, Asset>; model: InspectionModel; events: EventChannel }): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'text/plain', 'method not allowed');
  if (path === '/favicon.ico') {
    response.writeHead(204);
    response.end();
    return;
  }
  if (path === '/') {
    response.writeHead(302, { Location: '/status' });
    response.end();
    return;
  }
  if (path === '/api/state') return reply(response, 200, 'application/json', JSON.stringify(context.model.state()));
  if (path === '/api/inspect') return reply(response, 200, 'application/json', JSON.stringify(context.model.inspector(url.searchParams.get('actor') ?? undefined)));
  if (path === '/metrics') return reply(response, 200, PROMETHEUS_CONTENT_TYPE, renderLiveMetrics());
  if (path === '/api/events') return context.events.add(response, { event: 'state', data: context.model.state() });
  const asset = context.assets.get(path);
  if (asset === undefined) return reply(response, 404, 'text/plain', 'not found');
  reply(response, 200, asset.type, asset.body);
}

function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const staticDir = findStaticDir();
  for (const [route, file] of Object.entries(STATIC_FILES)) assets.set(route, { type: contentType(file), body: readFileSync(join(staticDir, file)) });
  for (const [route, [pkg, file]] of Object.entries(VENDOR_FILES)) {
    const root = dirname(require.resolve(`${pkg}/package.json`));
    assets.set(route, { type: contentType(file), body: readFileSync(join(root, file)) });
  }
  return assets;
}

/** Next to this file when run from source; from `dist/inspect/`, the copy in the package's src. */
function findStaticDir(): string {
  const candidates = [join(__dirname, 'static'), resolve(__dirname, '..', '..', 'src', 'inspect', 'static')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (found === undefined) throw new Error(`dashboard page not found in ${candidates.join(' or ')}`);
  return found;
}

function contentType(file: string): string {
  if (file.endsWith('.html')) return 'text/html; charset=utf-8';
  if (file.endsWith('.css')) return 'text/css; charset=utf-8';
  return 'text/javascript; charset=utf-8';
}
