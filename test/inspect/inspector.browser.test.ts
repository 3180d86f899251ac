import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Client, Stream, startClientDashboard, type Dashboard } from '../../src';
import { launchBrowser } from '../support/browser';
import { sleep } from '../support/sleep';
import { waitFor } from '../support/wait-for';

/** The little of the DOM that the functions run inside the page use (the project compiles without lib.dom). */
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  querySelectorAll(selector: string): { length: number };
  body: { getAttribute(name: string): string | null };
};

/** `RIVULET_SCREENSHOTS=1` renews the README's screenshot (docs/inspector.png). */
const SCREENSHOT = process.env.RIVULET_SCREENSHOTS === '1' ? join(__dirname, '..', '..', 'docs', 'inspector.png') : join(__dirname, '..', '..', 'build', 'inspector.png');
const WAIT = { timeout: 8000 };

function texts(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (nodes) => nodes.map((node) => node.textContent ?? ''));
}

describe('the actor inspector in headless chromium', () => {
  let client: Client | undefined;
  let dashboard: Dashboard | undefined;
  let browser: Browser | undefined;
  let emitting = false;

  afterEach(async () => {
    emitting = false;
    await browser?.close();
    await dashboard?.close();
    await client?.close();
  });

  test('picking the scatter actor shows its state machine, its recent events and the messages of its segment', async () => {
    client = new Client();
    const source = new Stream<number>({ name: 'orders' });
    source
      .scatter({ client })
      .map(async function enrich(x: number) {
        await sleep(15);
        return x;
      })
      .buffer(4)
      .gather()
      .sink(function store() {});
    dashboard = await startClientDashboard(client, { port: 0, interval: 100 });
    const launching = launchBrowser();
    await client.whenReady();
    emitting = true;
    /** Bursts that run the scatter out of credits, then a pause that gives them back: the actor has something to show. */
    const feeding = (async () => {
      for (let burst = 0; emitting && burst < 200; burst++) {
        for (let i = 0; i < 12; i++) await source.emit(burst * 12 + i);
        await source.drain();
        await sleep(40);
      }
    })();
    browser = await launching;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(dashboard.url.replace('/status', '/inspect'), WAIT);

    await page.waitForSelector('#actor-list li[data-actor-id^="scatter-"]', WAIT);
    expect(await texts(page, '#actor-list li .name')).toEqual(expect.arrayContaining(['orders; Stream', 'scatter', 'map: enrich', 'scatter: enrich', 'gather: enrich', 'sink: store']));
    await page.click('#actor-list li[data-actor-id^="scatter-"]');
    await page.waitForFunction(() => document.querySelectorAll('#machine g.state').length > 0, undefined, WAIT);
    expect((await page.$$eval('#machine g.state', (groups) => groups.map((g) => g.getAttribute('data-state')))).sort()).toEqual(['*', 'deciding', 'dispatching', 'draining', 'missingTasks', 'saturated', 'waitingForWorkers']);
    await page.waitForFunction(() => document.querySelector('#machine g.state.current') !== null, undefined, WAIT);
    const current = await page.$eval('#machine g.state.current', (group) => group.getAttribute('data-state'));
    expect(['dispatching', 'saturated']).toContain(current);
    await page.waitForFunction(() => document.querySelectorAll('#timeline tbody tr').length >= 2, undefined, WAIT);
    expect(await texts(page, '#timeline tbody tr td:nth-child(2)')).toContain('CREDITS');
    expect(new Set(await texts(page, '#timeline tbody tr td:nth-child(3)'))).toEqual(new Set(['saturated', 'dispatching']));
    await page.waitForFunction(() => ['tasks', 'results', 'credit'].every((kind) => document.querySelector(`#sequence .message.${kind}`) !== null), undefined, WAIT);
    const lanes = await page.$$eval('#sequence .lane-head', (heads) => heads.map((head) => head.textContent ?? ''));
    expect(lanes[0]).toBe('scatter: enrich');
    expect(lanes[lanes.length - 1]).toBe('gather: enrich');
    expect(lanes.slice(1, -1).every((lane) => lane.startsWith('worker '))).toBe(true);
    await screenshot(page);

    await page.click('#pause');
    const frozen = await page.$eval('body', (body) => body.getAttribute('data-updated'));
    const pausedAt = Date.now();
    await waitFor(() => dashboard !== undefined && dashboard.model.state().time > pausedAt + 1200, 5000, 'samples after the pause');
    expect(await page.$eval('body', (body) => body.getAttribute('data-updated'))).toBe(frozen);
    await page.click('#pause');
    await page.waitForFunction((before) => document.body.getAttribute('data-updated') !== before, frozen, WAIT);

    emitting = false;
    await feeding;
    expect(pageErrors).toEqual([]);
  }, 40000);

  test('a graph node links to its actor, and the actor back to its node', async () => {
    client = new Client();
    const source = new Stream<number>({ name: 'orders' });
    const gathered = source.scatter({ client }).map(function double(x: number) {
      return x * 2;
    }).gather();
    gathered.sinkToList();
    dashboard = await startClientDashboard(client, { port: 0, interval: 100 });
    await client.whenReady();
    for (let i = 0; i < 3; i++) await source.emit(i);
    browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(dashboard.url, WAIT);
    const gather = `#graph g[data-node-id="${gathered.id}"]`;
    await page.waitForSelector(gather, WAIT);
    expect(await page.$eval(`${gather} title`, (title) => title.textContent)).toMatch(/actors: gather \(\w+\), gather: double \(\w+\)/);
    await page.click(gather);
    await page.waitForURL(/\/inspect\?actor=gather-/, WAIT);
    await page.waitForFunction(() => document.querySelector('#actor-list li.selected')?.getAttribute('data-actor-id')?.startsWith('gather-') === true, undefined, WAIT);
    await page.click('#actor-node a');
    await page.waitForURL(new RegExp(`/status#node-${gathered.id}$`), WAIT);
    await page.waitForSelector(`${gather}.highlight`, WAIT);
  }, 30000);
});

async function screenshot(page: Page): Promise<void> {
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
}
