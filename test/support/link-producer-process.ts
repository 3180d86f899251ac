/**
 * A link producer process: emits `count` elements of about `bytes` bytes each into
 * `toNats(subject, { credits: true })` as fast as the link lets it, printing its RSS as it goes.
 *   node -r ts-node/register/transpile-only link-producer-process.ts SERVERS SUBJECT COUNT BYTES
 * Prints JSON lines: `{ "rss": bytes, "emitted": n }` `RSS_SAMPLES` times in the run (after a full
 * garbage collection when node runs with `--expose-gc`, so garbage not yet collected does not
 * count as memory the producer keeps), then
 * `{ "done": true, "rss", "resent", "refusals", "ms" }` once every element was acknowledged.
 */
import { Stream } from '../../src';

/** RSS samples per run (each after a full collection, which takes a while). */
const RSS_SAMPLES = 40;

function rssAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage.rss();
}

async function main(): Promise<void> {
  const [servers, subject, countText, bytesText] = process.argv.slice(2);
  const count = Number(countText);
  const bytes = Number(bytesText);
  const source = new Stream<{ i: number; pad: string }>();
  const sink = source.toNats(subject, { servers, credits: true });
  const print = (line: object): boolean => process.stdout.write(`${JSON.stringify(line)}\n`);
  const rssEvery = Math.max(1, Math.floor(count / RSS_SAMPLES));
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    // a fresh string per element, so elements kept by mistake would show in the RSS
    await source.emit({ i, pad: String(i).padEnd(bytes, '.') });
    if (i % rssEvery === 0) print({ rss: rssAfterGc(), emitted: i });
  }
  await source.drain();
  const link = sink.link;
  print({ done: true, rss: rssAfterGc(), resent: link?.resent, refusals: link?.refusals, ms: Math.round(performance.now() - started) });
  sink.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
