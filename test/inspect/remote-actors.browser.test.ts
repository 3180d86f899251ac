/** The actors panel of `/inspect` in headless Chromium lists the actor of a `rivulet worker` process. */
import type { Browser } from 'playwright-core';
import { exited } from '../distributed/support/deployments';
import { launchBrowser } from '../support/browser';
import { startInspectedWorker } from '../support/inspected-worker';

/** The little of the DOM that the functions run inside the page use (the project compiles without lib.dom). */
declare const document: { querySelectorAll(selector: string): { length: number } };

const START = 45_000;
const WAIT = { timeout: 10_000 };

describe('a worker of another process in the inspector page (headless chromium)', () => {
  let stop: (() => Promise<void>) | undefined;
  let browser: Browser | undefined;

  afterEach(async () => {
    await browser?.close();
    await stop?.();
    stop = undefined;
  });

  test('it is listed with its process, its machine drawn with the current state, then shown as gone', async () => {
    const { worker, id, actorId, dashboard } = await startInspectedWorker((started) => (stop = started));
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(dashboard.url.replace('/status', '/inspect'), WAIT);

    const item = `#actor-list li.remote[data-actor-id="${actorId}"]`;
    await page.waitForSelector(item, WAIT);
    expect(await page.$eval(`${item} .name`, (node) => node.textContent)).toBe(`worker ${id}`);
    expect(await page.$eval(`${item} .origin`, (node) => node.textContent)).toContain(`pid ${worker.pid}`);
    await page.click(item);
    await page.waitForSelector('#machine g.state.current[data-state="ready"]', WAIT);
    await page.waitForFunction(() => document.querySelectorAll('#machine g.state').length === 6, undefined, WAIT);
    expect(await page.$eval('#actor-title', (node) => node.textContent)).toContain(`pid ${worker.pid}`);

    worker.kill('SIGKILL');
    await exited(worker);
    await page.waitForSelector(`#actor-list li.gone[data-actor-id="${actorId}"]`, WAIT);
    expect(await page.$eval(`${item} .state`, (node) => node.textContent)).toBe('gone (was ready)');
    expect(pageErrors).toEqual([]);
  }, 2 * START);
});
