import { CalmingReport } from '../../src/util/calming-report';

type Level = 'idle' | 'busy';

describe('CalmingReport', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function report(calmAfter?: number): { told: string[]; set(level: Level): void; cancel(): void } {
    let level: Level = 'idle';
    const told: string[] = [];
    const calming = new CalmingReport<Level>('idle', { idle: 0, busy: 1 }, () => level, (from, to) => told.push(`${from}>${to}`), calmAfter);
    return {
      told,
      set(next) {
        level = next;
        calming.update();
      },
      cancel: () => calming.cancel(),
    };
  }

  test('busier at once, calmer after a turn; a level that comes back within the turn is never told', () => {
    const levels = report();
    levels.set('busy');
    expect(levels.told).toEqual(['idle>busy']);
    levels.set('idle');
    levels.set('busy');
    jest.runOnlyPendingTimers();
    expect(levels.told).toEqual(['idle>busy']);
    levels.set('idle');
    jest.runOnlyPendingTimers();
    expect(levels.told).toEqual(['idle>busy', 'busy>idle']);
  });

  test('with calmAfter, calmer only once it held that long; cancel drops what is pending', () => {
    const levels = report(50);
    levels.set('busy');
    levels.set('idle');
    jest.advanceTimersByTime(49);
    expect(levels.told).toEqual(['idle>busy']);
    jest.advanceTimersByTime(1);
    expect(levels.told).toEqual(['idle>busy', 'busy>idle']);
    levels.set('busy');
    levels.set('idle');
    levels.cancel();
    jest.advanceTimersByTime(100);
    expect(levels.told).toEqual(['idle>busy', 'busy>idle', 'idle>busy']);
  });
});
