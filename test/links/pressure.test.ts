import { Pressure } from '../../src/links/pressure';

describe('Pressure', () => {
  test('is raised at once, lowered only at a tick where it no longer holds, and told each change once', () => {
    const told: boolean[] = [];
    const pressure = new Pressure((raised) => told.push(raised));
    pressure.raise();
    pressure.raise();
    pressure.settle(true);
    expect(told).toEqual([true]);
    pressure.settle(false);
    pressure.settle(false);
    expect(told).toEqual([true, false]);
  });
});
