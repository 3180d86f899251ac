/**
 * The link's fault scenario with real processes: a producer process emits `count` elements as
 * fast as it can into `toNats(…, { credits: true })`; two consumer processes share the subject
 * with `credits` each, one slow (`slowDelay` ms per element), one fast that is SIGKILLed once half
 * the elements arrived. Used by the link test (scaled down) and `bench/link.ts soak` (20,000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve as resolvePath } from 'node:path';
import { NatsServer } from './nats-server';
import { waitFor } from './wait-for';

export interface LinkScenarioOptions {
  count: number;
  /** About how many bytes each element carries (so elements the producer kept would show in its RSS). */
  bytes: number;
  credits: number;
  slowDelay: number;
  /** Milliseconds the whole run may take. */
  timeout: number;
}

export interface RssSample {
  emitted: number;
  rss: number;
}

export interface LinkScenarioResult {
  /** How many times each element reached a consumer's sink. */
  deliveries: Map<number, number>;
  missing: number[];
  /** Elements that reached a sink twice or more. */
  repeated: number[];
  rss: RssSample[];
  producer: { resent: number; refusals: number; ms: number };
  /** Elements each consumer handled (the killed one up to its death). */
  handledByKilled: number;
  handledBySlow: number;
  /** Elements handled by both consumers together when the fast one was killed. */
  killedAfter: number;
  /** Milliseconds from the first element handled to the kill, and from the kill to the last element. */
  beforeKillMs: number;
  afterKillMs: number;
}

const HERE = __dirname;
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Runs `script` (a file in test/support, or an absolute path) with ts-node; `onLine` gets each stdout line. Killed when this process exits. */
export function startScript(script: string, args: string[], onLine: (line: string) => void, nodeFlags: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, '-r', 'ts-node/register/transpile-only', resolvePath(HERE, script), ...args], {
    cwd: join(HERE, '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  return child;
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function runLinkScenario(options: LinkScenarioOptions): Promise<LinkScenarioResult> {
  const { count, bytes, credits, slowDelay, timeout } = options;
  const deadline = Date.now() + timeout;
  const remaining = (): number => Math.max(1, deadline - Date.now());
  const server = await NatsServer.start();
  const subject = 'link.scenario';
  const deliveries = new Map<number, number>();
  let firstHandledAt: number | undefined;
  const handled = { killed: 0, slow: 0 };
  const consumerLine = (which: 'killed' | 'slow') => (line: string) => {
    if (line === 'ready') return;
    const element = Number(line);
    firstHandledAt ??= performance.now();
    deliveries.set(element, (deliveries.get(element) ?? 0) + 1);
    handled[which]++;
  };
  const consumerArgs = (delay: number): string[] => [server.url, subject, String(credits), String(delay)];
  const rss: RssSample[] = [];
  let producer: LinkScenarioResult['producer'] | undefined;
  // the producer starts with the consumers: its emits wait until they joined
  const producerProcess = startScript('link-producer-process.ts', [server.url, subject, String(count), String(bytes)], (line) => {
    const report = JSON.parse(line) as { done?: boolean; rss: number; emitted: number; resent: number; refusals: number; ms: number };
    if (report.done === true) producer = { resent: report.resent, refusals: report.refusals, ms: report.ms };
    else rss.push({ emitted: report.emitted, rss: report.rss });
  }, ['--expose-gc']);
  const fast = startScript('link-consumer-process.ts', consumerArgs(0), consumerLine('killed'));
  const slow = startScript('link-consumer-process.ts', consumerArgs(slowDelay), consumerLine('slow'));
  try {
    await waitFor(() => handled.killed + handled.slow >= count / 2, remaining(), 'half of the elements');
    const killedAfter = handled.killed + handled.slow;
    const killedAt = performance.now();
    fast.kill('SIGKILL');
    await exited(fast);
    await waitFor(() => producer !== undefined, remaining(), 'the producer to have every element acknowledged');
    // every element was acknowledged, so the slow consumer printed it: wait until its lines are read
    await waitFor(() => deliveries.size === count, remaining(), 'the consumers’ last lines');
    const finishedAt = performance.now();
    const missing: number[] = [];
    const repeated: number[] = [];
    for (let i = 0; i < count; i++) {
      const times = deliveries.get(i) ?? 0;
      if (times === 0) missing.push(i);
      else if (times > 1) repeated.push(i);
    }
    return { deliveries, missing, repeated, rss, producer: producer as LinkScenarioResult['producer'], handledByKilled: handled.killed, handledBySlow: handled.slow, killedAfter, beforeKillMs: killedAt - (firstHandledAt as number), afterKillMs: finishedAt - killedAt };
  } finally {
    for (const child of [fast, slow, producerProcess]) child.kill('SIGKILL');
    await Promise.all([fast, slow, producerProcess].map(exited));
    await server.stop();
  }
}

/** RSS growth after the first `warmUp` fraction of the run: the highest later sample minus the sample there. */
export function rssGrowth(samples: readonly RssSample[], warmUp = 0.1): number {
  const start = samples[Math.floor(samples.length * warmUp)];
  return Math.max(...samples.slice(samples.indexOf(start)).map((sample) => sample.rss)) - start.rss;
}
