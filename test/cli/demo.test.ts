import { runDemo } from '../../src/cli/demo';
import { waitFor } from '../support/wait-for';

/** Runs the demo on jest's fake clock: its timings are then exact virtual milliseconds. */
async function runOnFakeClock(taskMs: number): Promise<Awaited<ReturnType<typeof runDemo>>> {
  jest.useFakeTimers();
  try {
    const lines: string[] = [];
    let finished = false;
    const run = runDemo({ taskMs, log: (line) => lines.push(line) }).finally(() => {
      finished = true;
    });
    for (let step = 0; step < 10_000 && !finished; step++) await jest.advanceTimersByTimeAsync(taskMs / 10);
    const timings = await run;
    expect(lines.join('\n')).toContain('scatter().map(inc).buffer(8).gather()');
    return timings;
  } finally {
    jest.useRealTimers();
  }
}

describe('rivulet demo', () => {
  test('the seed scenario: ten sequential calls, then eight at a time through scatter().map(inc).buffer(8).gather()', async () => {
    const timings = await runOnFakeClock(1000);
    expect(timings.sequential).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(timings.parallel).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // On the virtual clock: 10 calls of 1 s one after the other, then two waves of calls (8 + 2).
    expect(timings.sequentialMs).toBe(10_000);
    expect(timings.parallelMs).toBeGreaterThanOrEqual(2_000);
    expect(timings.parallelMs).toBeLessThan(2_100);
    expect(timings.dashboard).toBeUndefined();
  });

  test('--dashboard serves the live dashboard while the scenario runs', async () => {
    const lines: string[] = [];
    const timings = await runDemo({ taskMs: 1, count: 3, dashboardPort: 0, log: (line) => lines.push(line) });
    try {
      expect(lines[0]).toMatch(/^Dashboard: http:\/\/127\.0\.0\.1:\d+\/status$/);
      // /api/state is the sampler's last sample: the pipelines show from the first sample after they were added.
      const stateUrl = String(timings.dashboard?.url).replace('/status', '/api/state');
      let labels: string[] = [];
      const expected = ['<numbers; Stream>', '<scatter>', '<gather>'];
      await waitFor(() => expected.every((label) => labels.includes(label)), 5000, 'the pipelines in /api/state', async () => {
        const state = (await (await fetch(stateUrl)).json()) as { graph: { nodes: { label: string }[] } };
        labels = state.graph.nodes.map((node) => node.label);
      });
      expect(labels).toEqual(expect.arrayContaining(expected));
    } finally {
      await timings.dashboard?.close();
    }
  });
});
