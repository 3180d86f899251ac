import { request } from 'node:http';
import { ArgumentRangeError, Stream, startDashboard, type Dashboard, type DashboardState } from '../../src';
import { formatEvent } from '../../src/inspect/sse';
import { parsePrometheus, valueOf } from '../support/prometheus';

function inc(x: number): number {
  return x + 1;
}

function get(url: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads server-sent `state` events until `enough` says stop (bounded by `timeout`). */
function readStates(url: string, enough: (states: DashboardState[]) => boolean, timeout = 5000): Promise<DashboardState[]> {
  return new Promise((resolve, reject) => {
    const states: DashboardState[] = [];
    const req = request(url, (response) => {
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message.split('\n').find((line) => line.startsWith('data: '));
          if (message.includes('event: state') && data !== undefined) states.push(JSON.parse(data.slice(6)) as DashboardState);
        }
        if (enough(states)) {
          clearTimeout(timer);
          req.destroy();
          resolve(states);
        }
      });
      response.on('end', () => {
        clearTimeout(timer);
        reject(new Error(`the event stream ended after ${states.length} state events`));
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`only ${states.length} state events within ${timeout} ms`));
    }, timeout);
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end();
  });
}

describe('dashboard server', () => {
  let dashboard: Dashboard | undefined;
  afterEach(async () => {
    await dashboard?.close();
    dashboard = undefined;
  });

  test('formatEvent writes one SSE message', () => {
    expect(formatEvent('state', { a: 'x\ny' })).toBe('event: state\ndata: {"a":"x\\ny"}\n\n');
  });

  test('binds 127.0.0.1 and serves the page, its scripts from node_modules and /api/state', async () => {
    const source = new Stream<number>({ name: 'numbers' });
    source.map(inc).sinkToList();
    dashboard = await startDashboard(source, { port: 0 });
    expect(dashboard.url).toBe(`http://127.0.0.1:${dashboard.port}/status`);
    source.emit(1);
    const base = dashboard.url.replace('/status', '');
    const page = await get(dashboard.url);
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    for (const script of page.body.match(/src="([^"]+)"/g) ?? []) {
      const asset = await get(base + script.slice(5, -1));
      expect([script, asset.status, asset.body.length > 1000]).toEqual([script, 200, true]);
    }
    const state = JSON.parse((await get(`${base}/api/state`)).body) as DashboardState;
    expect(state.graph.nodes.map((n) => n.label)).toEqual(['<numbers; Stream>', '<map: inc>', expect.stringMatching(/^<sink/)]);
    expect((await get(`${base}/`)).status).toBe(302);
    expect((await get(`${base}/favicon.ico`)).status).toBe(204);
    expect((await get(`${base}/../package.json`)).status).toBe(404);
    expect((await get(`${base}/api/state`, 'POST')).status).toBe(405);
  });

  test('/metrics serves every node of the process as Prometheus text', async () => {
    const source = new Stream<number>({ name: 'numbers' });
    const mapped = source.map(inc);
    mapped.sinkToList();
    for (let i = 0; i < 3; i++) source.emit(i);
    dashboard = await startDashboard(source, { port: 0 });
    const response = await get(dashboard.url.replace('/status', '/metrics'));
    expect([response.status, response.type]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8']);
    const series = parsePrometheus(response.body);
    expect(valueOf(series, 'rivulet_node_in_total', { node: 'map: inc', node_id: String(mapped.id) })).toBe(3);
    expect(valueOf(series, 'rivulet_node_out_total', { node: 'numbers; Stream', node_id: String(source.id) })).toBe(3);
  });

  test('/api/state is the last sample: reading it takes none', async () => {
    const source = new Stream<number>();
    source.sinkToList();
    dashboard = await startDashboard(source, { port: 0, interval: 60_000 });
    const base = dashboard.url.replace('/status', '');
    source.emit(1);
    const states: DashboardState[] = [];
    for (let i = 0; i < 3; i++) states.push(JSON.parse((await get(`${base}/api/state`)).body) as DashboardState);
    expect(states.map((state) => [state.time, state.throughput.times.length, state.graph.nodes[0].out])).toEqual([0, 1, 2].map(() => [states[0].time, 0, 0]));
  });

  test('/api/events streams the model live while elements flow', async () => {
    const source = new Stream<number>();
    source.map(inc).sinkToList();
    dashboard = await startDashboard(source, { port: 0, interval: 20 });
    let sent = 0;
    const feeding = setInterval(() => source.emit(sent++), 5);
    try {
      const states = await readStates(dashboard.url.replace('/status', '/api/events'), (got) => got.length >= 4);
      const received = states.map((state) => state.graph.nodes[0].out);
      expect(received[received.length - 1]).toBeGreaterThan(received[0]);
      expect([...received].sort((a, b) => a - b)).toEqual(received);
    } finally {
      clearInterval(feeding);
    }
  });

  test('close() ends open event streams and frees the port', async () => {
    const source = new Stream<number>();
    dashboard = await startDashboard(source, { port: 0, interval: 10 });
    let connected: () => void = () => undefined;
    const subscribed = new Promise<void>((resolve) => (connected = resolve));
    const events = readStates(
      dashboard.url.replace('/status', '/api/events'),
      (states) => {
        if (states.length > 0) connected();
        return false;
      },
      3000,
    );
    await Promise.race([subscribed, events]);
    const { port } = dashboard;
    await dashboard.close();
    dashboard = undefined;
    await expect(events).rejects.toThrow(/ended/);
    dashboard = await startDashboard(source, { port });
    expect(dashboard.port).toBe(port);
  });

  test('rejects bad options and a port in use', async () => {
    const source = new Stream<number>();
    await expect(startDashboard(source, { port: -1 })).rejects.toThrow(ArgumentRangeError);
    await expect(startDashboard(source, { port: 0, interval: 0 })).rejects.toThrow(/interval/);
    dashboard = await startDashboard(source, { port: 0 });
    await expect(startDashboard(source, { port: dashboard.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
