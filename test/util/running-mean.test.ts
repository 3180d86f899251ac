import { RunningMean } from '../../src/util/running-mean';

describe('RunningMean', () => {
  test('is undefined before a sample, the first sample itself after one, and moves a weight of the way toward each next', () => {
    const mean = new RunningMean(0.5);
    expect(mean.value).toBeUndefined();
    mean.add(10);
    expect(mean.value).toBe(10);
    mean.add(20);
    expect(mean.value).toBe(15);
    mean.add(15);
    expect(mean.value).toBe(15);
  });
});
