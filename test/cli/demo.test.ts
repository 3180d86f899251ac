import { runDemo } from '../../src/cli/demo';

describe('rivulet demo', () => {
  test('the seed scenario: sequential, then scatter().map(inc).buffer(8).gather() in parallel', async () => {
    const lines: string[] = [];
    const timings = await runDemo({ taskMs: 50, log: (line) => lines.push(line) });
    expect(timings.sequential).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(timings.parallel).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(timings.sequentialMs).toBeGreaterThanOrEqual(500);
    expect(timings.parallelMs).toBeLessThan(timings.sequentialMs / 2);
    expect(lines.join('\n')).toContain('scatter().map(inc).buffer(8).gather()');
  });
});
