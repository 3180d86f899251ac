import { rssGrowth, runLinkScenario } from '../support/link-scenario';

/** Elements of the scenario here; `npm run bench:link -- soak` (bench/link.ts) runs it with 20,000. */
const COUNT = 6000;
/** Bytes per element: a producer that kept every element would grow by about COUNT × BYTES (96 MB). */
const BYTES = 16 * 1024;
const CREDITS = 32;
/** Far more than the link holds (2 consumers × 32 credits × 16 KB = 1 MB), far less than all elements. */
const RSS_GROWTH_LIMIT = 32 * 1024 * 1024;

describe('a flow-controlled link between real processes', () => {
  test(
    'a producer emitting as fast as it can, a slow consumer and one SIGKILLed halfway: every element arrives, at most 32 twice, producer RSS flat',
    async () => {
      const result = await runLinkScenario({ count: COUNT, bytes: BYTES, credits: CREDITS, slowDelay: 1, timeout: 55_000 });
      expect(result.missing).toEqual([]);
      expect(result.repeated.length).toBeLessThanOrEqual(CREDITS);
      expect(result.killedAfter).toBeGreaterThanOrEqual(COUNT / 2);
      expect(result.handledBySlow).toBeGreaterThan(COUNT / 2 - CREDITS);
      expect(rssGrowth(result.rss)).toBeLessThan(RSS_GROWTH_LIMIT);
    },
    60_000,
  );
});
