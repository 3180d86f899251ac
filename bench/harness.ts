/** Shared measuring helpers for the benchmarks: medians of repeated, interleaved runs. */
import { execFileSync } from 'node:child_process';
export interface Case {
  name: string;
  /** Runs the workload once and returns how many elements passed. */
  run(): number | Promise<number>;
}

export interface Measured {
  name: string;
  perSecond: number;
}

export async function measure(cases: Case[], rounds: number): Promise<Measured[]> {
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const c of cases) {
      const started = process.hrtime.bigint();
      const count = await c.run();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      samples.get(c.name)?.push(count / seconds);
    }
  }
  return cases.map((c) => ({ name: c.name, perSecond: median(samples.get(c.name) ?? []) }));
}

/** `rounds` rounds of every case, the order reversed every other round (the second run of a round may pay the first one's garbage). */
export async function alternating(cases: Case[], rounds: number): Promise<Measured[]> {
  const samples = cases.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? cases : [...cases].reverse();
    for (const measured of await measure(order, 1)) samples[cases.findIndex((c) => c.name === measured.name)].push(measured.perSecond);
  }
  return cases.map((c, i) => ({ name: c.name, perSecond: median(samples[i]) }));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(1)} /s`;
}

export function printTable(title: string, results: Measured[], reference: string): void {
  const base = results.find((r) => r.name === reference);
  console.log(`\n${title}`);
  for (const r of results) {
    const ratio = base ? ` ${(r.perSecond / base.perSecond).toFixed(2)}x ${reference}` : '';
    console.log(`  ${r.name.padEnd(40)} ${formatRate(r.perSecond).padStart(12)}${ratio}`);
  }
}

/** The median over `rounds` runs of elements per CPU-second of this process (steadier than wall time on a shared machine). */
export async function cpuRate(run: () => number | Promise<number>, rounds: number): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    const count = await run();
    const used = process.cpuUsage(before);
    samples.push(count / ((used.user + used.system) / 1e6));
  }
  return median(samples);
}

/**
 * Runs the benchmark `file` again in a fresh process with `env` added and parses the JSON it prints:
 * V8's inline caches are per process, so a case cannot slow another down by the shapes it leaves behind.
 */
export function inFreshProcess<T>(file: string, env: NodeJS.ProcessEnv): T {
  const tsNode = require.resolve('ts-node/dist/bin.js');
  return JSON.parse(execFileSync(process.execPath, [tsNode, '-T', file], { env: { ...process.env, ...env }, encoding: 'utf8' })) as T;
}

/** Each case in `processes` fresh processes (`caseEnv(name)` selects it), interleaved; the median per case. */
export function measureInFreshProcesses(file: string, names: readonly string[], processes: number, caseEnv: (name: string) => NodeJS.ProcessEnv): Measured[] {
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let repeat = 0; repeat < processes; repeat++) {
    for (const name of names) samples.get(name)?.push(inFreshProcess<Measured>(file, caseEnv(name)).perSecond);
  }
  return names.map((name) => ({ name, perSecond: median(samples.get(name) ?? []) }));
}
