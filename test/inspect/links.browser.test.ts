import type { Browser, Page } from 'playwright-core';
import { Stream, startDashboard, type Dashboard } from '../../src';
import type { FromNats } from '../../src/sources/from-nats';
import type { ToNats } from '../../src/nodes/to-nats';
import { launchBrowser } from '../support/browser';
import { NatsServer } from '../support/nats-server';

/** The little of the DOM that the functions run inside the page use (the project compiles without lib.dom). */
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
};

const CREDITS = 3;
const EMITS = 5;
const WAIT = { timeout: 8000 };

function rowAttribute(page: Page, end: string, name: string): Promise<string | null> {
  return page.getAttribute(`#links tr[data-end="${end}"]`, `data-${name}`);
}

describe('dashboard Links panel in headless chromium', () => {
  let server: NatsServer | undefined;
  let browser: Browser | undefined;
  let dashboard: Dashboard | undefined;
  let consumer: FromNats<number> | undefined;
  let producer: ToNats<number> | undefined;
  let release: () => void = () => undefined;

  afterEach(async () => {
    release();
    await browser?.close();
    await dashboard?.close();
    await consumer?.stop();
    producer?.destroy();
    await server?.stop();
  });

  test('a row per link end with credits and unacknowledged messages, and the link in the node tooltip', async () => {
    server = await NatsServer.start();
    const launching = launchBrowser();
    const accepting = new Promise<void>((resolve) => (release = resolve));
    consumer = Stream.fromNats<number>('dashboard.links', { servers: server.url, credits: CREDITS, queue: 'billing' });
    consumer.sink(() => accepting);
    await consumer.start();
    const source = new Stream<number>({ name: 'orders' });
    source.errors.sink(() => undefined); // the emits still waiting for credits fail when the producer goes
    producer = source.toNats('dashboard.links', { servers: server.url, credits: true });
    for (let i = 0; i < EMITS; i++) void Promise.resolve(source.emit(i)).catch(() => undefined);
    dashboard = await startDashboard({ pipelines: [source, consumer] }, { port: 0, interval: 100 });
    browser = await launching;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(dashboard.url, WAIT);

    await page.waitForFunction(
      (credits) => ['producer', 'consumer'].every((end) => document.querySelector(`#links tr[data-end="${end}"]`)?.getAttribute('data-unacknowledged') === String(credits)),
      CREDITS,
      WAIT,
    );
    expect(await page.$$eval('#links tbody tr', (rows) => rows.length)).toBe(2);
    expect(await rowAttribute(page, 'producer', 'available')).toBe('0');
    expect(await rowAttribute(page, 'consumer', 'credits')).toBe(String(CREDITS));
    expect(await page.textContent(`#links tr[data-end="producer"]`)).toContain(`waiting ${EMITS - CREDITS}`);
    expect(await page.isHidden('#links-empty')).toBe(true);
    const tooltip = await page.textContent(`#graph g[data-node-id="${producer.id}"] title`);
    expect(tooltip).toContain(`link to dashboard.links: ${CREDITS} credits held, 0 free, ${CREDITS} unacknowledged`);
    expect(await page.textContent(`#graph g[data-node-id="${consumer.id}"] text.rate`)).toContain('credits 0');
    expect(pageErrors).toEqual([]);
  }, 30000);
});
