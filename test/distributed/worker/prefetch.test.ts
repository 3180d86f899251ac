import { MAX_PREFETCH_FACTOR, Prefetch } from '../../../src/distributed/worker/prefetch';

/** A prefetch (`fixed`, or adaptive) on a hand-moved clock: `roundTrip(ms)` joins, lets `ms` pass and lets a batch arrive. */
function clocked(concurrency: number, fixed?: number): { prefetch: Prefetch; advance(ms: number): void; roundTrip(ms: number): void } {
  let now = 0;
  const prefetch = new Prefetch(concurrency, fixed, () => now);
  const advance = (ms: number): void => void (now += ms);
  return {
    prefetch,
    advance,
    roundTrip(ms) {
      prefetch.joined();
      advance(ms);
      prefetch.arrived();
    },
  };
}

describe('Prefetch', () => {
  test('starts at the concurrency and stays there while tasks outlast a round trip', () => {
    const { prefetch, roundTrip } = clocked(4);
    expect(prefetch.value).toBe(4);
    for (let i = 0; i < 10; i++) {
      prefetch.finished(20);
      roundTrip(1);
    }
    expect(prefetch.value).toBe(4);
  });

  test('holds two round trips of work when tasks are shorter than a round trip', () => {
    const { prefetch, roundTrip } = clocked(4);
    prefetch.finished(0.5);
    roundTrip(1);
    expect(prefetch.value).toBe(16); // 2 × 4 slots × 1 ms / 0.5 ms
  });

  test('never exceeds its bound, however short the tasks', () => {
    const { prefetch, roundTrip } = clocked(4);
    prefetch.finished(0);
    roundTrip(5);
    expect(prefetch.value).toBe(MAX_PREFETCH_FACTOR * 4);
  });

  test('takes the shortest recent round trip: a scatter with nothing to send makes a long wait, not a long round trip', () => {
    const { prefetch, roundTrip } = clocked(2);
    prefetch.finished(1);
    roundTrip(1);
    expect(prefetch.value).toBe(4);
    roundTrip(60_000);
    expect(prefetch.value).toBe(4);
  });

  test('forgets round trips older than the last 16', () => {
    const { prefetch, roundTrip } = clocked(1);
    prefetch.finished(1);
    roundTrip(1);
    for (let i = 0; i < 16; i++) roundTrip(3);
    expect(prefetch.value).toBe(6);
  });

  test('a join with no batch yet is one round trip, however often the worker joins again meanwhile', () => {
    const { prefetch, advance, roundTrip } = clocked(1);
    prefetch.finished(1);
    prefetch.joined();
    advance(2);
    roundTrip(2);
    expect(prefetch.value).toBe(8);
  });

  test('a fixed prefetch does not adapt', () => {
    const { prefetch, roundTrip } = clocked(4, 0);
    prefetch.finished(0.01);
    roundTrip(10);
    expect(prefetch.value).toBe(0);
  });
});
