/** Shared measuring helpers for the benchmarks: medians of repeated, interleaved runs. */
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
