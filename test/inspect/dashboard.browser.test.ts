import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Client, Stream, startClientDashboard, startDashboard, type Dashboard } from '../../src';
import { launchBrowser } from '../support/browser';
import { ControlledWorkers } from '../support/controlled-workers';
import { slowInc } from '../support/dashboard-tasks';
import { sleep } from '../support/sleep';
import { NatsServer } from '../support/nats-server';
import { startWorkerProcess, workerReady } from '../support/worker-process';

/** The little of the DOM that the functions run inside the page use (the project compiles without lib.dom). */
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  querySelectorAll(selector: string): { length: number };
};

const BUILD = join(__dirname, '..', '..', 'build');
/** `RIVULET_SCREENSHOTS=1` renews the README's screenshot (docs/dashboard.png) from the client dashboard run. */
const DASHBOARD_SCREENSHOT = process.env.RIVULET_SCREENSHOTS === '1' ? join(__dirname, '..', '..', 'docs', 'dashboard.png') : join(BUILD, 'dashboard-client.png');
const WAIT = { timeout: 8000 };
const CLOSE_TIMEOUT_MS = 5000;

/** Collects uncaught page errors and console errors (failed requests included). */
function watchErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
}

async function screenshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
}

function nodeCount(page: Page, id: number, attribute: 'data-in' | 'data-out'): Promise<number> {
  return page.$eval(`#graph g[data-node-id="${id}"]`, (node, name) => Number(node.getAttribute(name)), attribute);
}

describe('dashboard in headless chromium', () => {
  let browser: Browser | undefined;
  let dashboard: Dashboard | undefined;
  let feeding: ReturnType<typeof setInterval> | undefined;

  afterEach(async () => {
    clearInterval(feeding);
    await browser?.close();
    await dashboard?.close();
  });

  test('shows every node, counts that grow while elements flow, and a killed worker as gone', async () => {
    const workers = new ControlledWorkers();
    workers.join('worker-a', 2);
    workers.join('worker-b', 4);
    const source = new Stream<number>({ name: 'numbers' });
    const incremented = source.map(function inc(x: number) {
      return x + 1;
    });
    incremented.filter(function even(x: number) {
      return x % 2 === 0;
    }).sink(function store() {});
    incremented.sink(function log() {});
    const nodes = source.graph();
    dashboard = await startDashboard({ pipelines: [source], workers, tasks: workers }, { port: 0, interval: 100, goneAfter: 60000 });

    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    watchErrors(page, pageErrors);
    await page.goto(dashboard.url, WAIT);

    await page.waitForFunction((count) => document.querySelectorAll('#graph g[data-node-id]').length === count, nodes.length, WAIT);
    const labels = await page.$$eval('#graph g[data-node-id] text.label', (texts) => texts.map((text) => text.textContent));
    expect(labels.sort()).toEqual(nodes.map(String).sort());

    let seq = 0;
    feeding = setInterval(() => {
      for (let i = 0; i < 49; i++) source.emit(seq++);
      const alive = workers.workers();
      workers.finish(alive[seq % alive.length].id, 'inc', seq);
    }, 20);
    await page.waitForFunction((id) => Number(document.querySelector(`#graph g[data-node-id="${id}"]`)?.getAttribute('data-in')) > 0, source.id, WAIT);
    const before = await nodeCount(page, source.id, 'data-in');
    await page.waitForFunction(([id, min]) => Number(document.querySelector(`#graph g[data-node-id="${id}"]`)?.getAttribute('data-in')) > min, [source.id, before], WAIT);
    expect(await nodeCount(page, source.id, 'data-in')).toBeGreaterThan(before);
    await page.waitForFunction(() => document.querySelectorAll('#workers tr[data-status="alive"]').length === 2, undefined, WAIT);

    workers.kill('worker-b');
    await page.waitForFunction(() => document.querySelector('#workers tr[data-worker-id="worker-b"]')?.getAttribute('data-status') === 'gone', undefined, WAIT);
    expect(await page.getAttribute('#workers tr[data-worker-id="worker-a"]', 'data-status')).toBe('alive');

    clearInterval(feeding);
    await screenshot(page, join(BUILD, 'dashboard.png'));
    expect(pageErrors).toEqual([]);
  }, 30000);

  test('with workers and no pipeline (what rivulet dashboard serves) the page renders without errors', async () => {
    const workers = new ControlledWorkers();
    workers.join('lonely', 1);
    dashboard = await startDashboard({ workers, tasks: workers }, { port: 0, interval: 100 });
    browser = await launchBrowser();
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    watchErrors(page, pageErrors);
    await page.goto(dashboard.url, WAIT);
    await page.waitForFunction(() => document.querySelectorAll('#workers tr[data-status="alive"]').length === 1, undefined, WAIT);
    workers.finish('lonely', 'inc', 0);
    await page.waitForFunction(() => document.querySelector('#progress-done')?.getAttribute('data-value') === '1', undefined, WAIT);
    expect(await page.$$eval('#graph g[data-node-id]', (nodes) => nodes.length)).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 30000);
});

describe('dashboard of a NATS deployment in headless chromium', () => {
  let server: NatsServer | undefined;
  let workers: ChildProcess[] = [];
  let client: Client | undefined;
  let browser: Browser | undefined;
  let dashboard: Dashboard | undefined;
  let emitting = false;

  afterEach(async () => {
    emitting = false;
    await browser?.close();
    await dashboard?.close();
    // Before the workers go: with none left, close() would wait its whole timeout for the elements in flight.
    await client?.close({ timeout: CLOSE_TIMEOUT_MS }).catch(() => undefined);
    for (const worker of workers) worker.kill('SIGKILL');
    workers = [];
    await server?.stop();
  });

  test('a SIGKILLed rivulet worker process is shown as gone while the others keep the task stream going', async () => {
    server = await NatsServer.start();
    const tasks = join('test', 'support', 'dashboard-tasks.ts');
    workers = [0, 1, 2].map(() => startWorkerProcess(server!.url, tasks, ['--concurrency', '4', '--heartbeat', '200']));
    const ids = await Promise.all(workers.map((worker) => workerReady(worker)));
    const launching = launchBrowser(); // only now: a browser launched before a failed start would outlive the test
    client = new Client({ servers: server.url });
    const source = new Stream<number>({ name: 'numbers' });
    const results = source.scatter({ client }).map(slowInc).buffer(16).gather();
    results.sink(function store() {});
    source.errors.sink(() => undefined);
    dashboard = await startClientDashboard(client, { port: 0, interval: 200, pipelines: [source] });
    browser = await launching;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const pageErrors: string[] = [];
    watchErrors(page, pageErrors);
    await page.goto(dashboard.url, WAIT);
    await page.waitForFunction((count) => document.querySelectorAll('#workers tr[data-status="alive"]').length === count, ids.length, { timeout: 10000 });

    emitting = true;
    const feeding = (async () => {
      for (let i = 0; emitting && i < 100_000; i++) await Promise.resolve(source.emit(i)).catch(() => undefined);
    })();
    await page.waitForFunction(() => Number(document.querySelector('#progress-done')?.getAttribute('data-value')) >= 100, undefined, { timeout: 10000 });

    const [victim] = ids;
    workers[0].kill('SIGKILL');
    await page.waitForFunction((id) => document.querySelector(`#workers tr[data-worker-id="${id}"]`)?.getAttribute('data-status') === 'gone', victim, { timeout: 10000 });
    const doneBefore = await page.$eval('#progress-done', (node) => Number(node.getAttribute('data-value')));
    await page.waitForFunction((min) => Number(document.querySelector('#progress-done')?.getAttribute('data-value')) > min + 50, doneBefore, { timeout: 10000 });
    expect(await page.$$eval('#workers tr[data-status="alive"]', (rows) => rows.length)).toBe(ids.length - 1);
    expect(await page.$$eval('#errors tbody tr', (rows) => rows.length)).toBeGreaterThan(0);
    await screenshot(page, join(BUILD, 'dashboard-nats.png'));
    emitting = false;
    await feeding;
    expect(pageErrors).toEqual([]);
  }, 40000);
});

interface DrawnNode {
  label: string;
  in: number;
  out: number;
  rate: number;
}

function drawnNodes(page: Page): Promise<DrawnNode[]> {
  return page.$$eval('#graph g[data-node-id]', (groups) =>
    groups.map((group) => ({
      label: group.querySelector('text.label')?.textContent ?? '',
      in: Number(group.getAttribute('data-in')),
      out: Number(group.getAttribute('data-out')),
      rate: Number(group.getAttribute('data-rate')),
    })),
  );
}

function headerValue(page: Page, id: string): Promise<number> {
  return page.$eval(`#${id}`, (node) => Number(node.getAttribute('data-value')));
}

describe('a client dashboard without a pipelines option, in headless chromium', () => {
  const TOTAL = 900;
  /** Elements per second the test feeds (a steady pace, so the average over the run is the rate). */
  const RATE = 300;
  let client: Client | undefined;
  let browser: Browser | undefined;

  afterEach(async () => {
    await browser?.close();
    await client?.close();
  });

  test('finds the pipeline by itself: every node by name, rates that match the emitted count, counts that add up', async () => {
    client = new Client();
    const source = new Stream<number>({ name: 'numbers' });
    const results = source
      .scatter({ client })
      .map(async function enrich(x: number) {
        await sleep(5);
        return x * 2;
      })
      .buffer(8)
      .gather();
    results.sink(function store() {});
    const url = await client.dashboard({ port: 0, interval: 200 });
    const launching = launchBrowser();
    await client.whenReady();
    browser = await launching;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const pageErrors: string[] = [];
    watchErrors(page, pageErrors);
    await page.goto(url, WAIT);

    const labels = source.graph().map(String).sort();
    await page.waitForFunction((count) => document.querySelectorAll('#graph g[data-node-id]').length === count, labels.length, WAIT);
    expect((await drawnNodes(page)).map((node) => node.label).sort()).toEqual(labels);

    const started = Date.now();
    let sent = 0;
    const feeding = (async () => {
      while (sent < TOTAL && Date.now() - started < 20_000) {
        const due = Math.min(TOTAL, Math.floor(((Date.now() - started) * RATE) / 1000));
        while (sent < due) await source.emit(sent++);
        await sleep(10);
      }
    })();
    await page.waitForFunction(
      (least) => Number(document.querySelector('#progress-emitted')?.getAttribute('data-value')) >= least,
      Math.round(TOTAL * 0.7),
      { timeout: 15000 },
    );
    const average = (sent * 1000) / (Date.now() - started);
    const drawn = await drawnNodes(page);
    const sourceRate = drawn.find((node) => node.label === String(source))?.rate ?? 0;
    expect(Math.abs(sourceRate / average - 1)).toBeLessThanOrEqual(0.2);
    expect(drawn.filter((node) => node.rate === 0).map((node) => node.label)).toEqual([]);

    await feeding;
    await source.drain();
    await page.waitForFunction((total) => Number(document.querySelector('#progress-done')?.getAttribute('data-value')) === total, TOTAL, WAIT);
    const counts = new Map((await drawnNodes(page)).map((node) => [node.label, [node.in, node.out]]));
    expect(source.graph().map((node) => [String(node), counts.get(String(node))])).toEqual(source.graph().map((node) => [String(node), [TOTAL, node.downstreams.length === 0 ? 0 : TOTAL]]));
    expect([await headerValue(page, 'progress-emitted'), await headerValue(page, 'progress-in-flight'), await headerValue(page, 'progress-failed')]).toEqual([TOTAL, 0, 0]);
    await screenshot(page, DASHBOARD_SCREENSHOT);
    expect(pageErrors).toEqual([]);
  }, 40000);
});
