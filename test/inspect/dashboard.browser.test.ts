import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Stream, startDashboard, type Dashboard } from '../../src';
import { ControlledWorkers } from '../support/controlled-workers';

/** The little of the DOM that the functions run inside the page use (the project compiles without lib.dom). */
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  querySelectorAll(selector: string): { length: number };
};

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(__dirname, '..', '..', 'build', 'dashboard.png');
const WAIT = { timeout: 8000 };

/** Headless Debian chromium with a fresh profile (playwright makes one per launch). */
function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 15000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
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
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 30000);
});
