/**
 * One client process of the fairness benchmark: `scatter().map(nap).buffer(n).gather()` from
 * `--start` (epoch ms) for `--seconds`, then prints its run as one JSON line.
 *
 *   ts-node -T bench/support/pool-client.ts --servers URL --prefix P --buffer N --ms 10 --start T --seconds 6 --workers 2
 */
import { parseArgs } from 'node:util';
import { Client } from '../../src';
import { runNaps } from './nap-run';
import { exitWithOutcome, sleep, waitForWorkers } from './processes';

const MAX_ELEMENTS = 1_000_000;

async function main(): Promise<boolean> {
  const { values } = parseArgs({
    options: { servers: { type: 'string' }, prefix: { type: 'string' }, buffer: { type: 'string' }, ms: { type: 'string' }, start: { type: 'string' }, seconds: { type: 'string' }, workers: { type: 'string' } },
  });
  const start = Number(values.start);
  const stopAt = start + Number(values.seconds) * 1000;
  const client = new Client({ servers: values.servers, prefix: values.prefix });
  try {
    await client.whenReady();
    await waitForWorkers(client, Number(values.workers));
    await sleep(Math.max(0, start - Date.now()));
    const ms = Number(values.ms);
    const run = await runNaps(client, { buffer: Number(values.buffer), elements: MAX_ELEMENTS, durationOf: () => ms, timeoutMs: stopAt - Date.now() + 30_000, stopAt });
    console.log(JSON.stringify(run));
    return true;
  } finally {
    await client.close({ timeout: 2_000 }).catch(() => undefined);
  }
}

exitWithOutcome('pool client', main);
