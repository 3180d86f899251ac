/**
 * A link consumer process: `fromNats(subject, { credits, queue: 'consumers' })` whose sink prints
 * each element's number on its own line once it handled it, taking `delay` ms per element
 * (0: asynchronous but without a timer, one event-loop turn per element).
 *   node -r ts-node/register/transpile-only link-consumer-process.ts SERVERS SUBJECT CREDITS DELAY
 * Prints `ready` once it joined the link.
 */
import { Stream } from '../../src';

async function main(): Promise<void> {
  const [servers, subject, creditsText, delayText] = process.argv.slice(2);
  const delay = Number(delayText);
  const pause = (): Promise<void> => new Promise((resolve) => (delay > 0 ? setTimeout(resolve, delay) : setImmediate(resolve)));
  const source = Stream.fromNats<{ i: number }>(subject, { servers, credits: Number(creditsText), queue: 'consumers' });
  source.sink(async (element) => {
    await pause();
    process.stdout.write(`${element.i}\n`);
  });
  await source.start();
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
