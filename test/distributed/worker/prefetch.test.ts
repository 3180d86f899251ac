import { MAX_PREFETCH_FACTOR, Prefetch } from '../../../src/distributed/worker/prefetch';

/** A prefetch on a hand-moved clock: `roundTrip(ms)` joins, lets `ms` pass and lets a batch arrive. */
function adaptive(concurrency: number): { prefetch: Prefetch; roundTrip(ms: number): void } {
  let now = 0;
  const prefetch = new Prefetch(concurrency, undefined, () => now);
  return {
    prefetch,
    roundTrip(ms) {
      prefetch.joined();
      now += ms;
      prefetch.arrived();
    },
  };
}

describe('Prefetch', () => {
  test('starts at the concurrency and stays there while tasks outlast a round trip', () => {
    const { prefetch, roundTrip } = adaptive(4);
    expect(prefetch.value).toBe(4);
    for (let i = 0; i < 10; i++) {
      prefetch.finished(20);
      roundTrip(1);
    }
    expect(prefetch.value).toBe(4);
  });

  test('holds two round trips of work when tasks are shorter than a round trip', () => {
    const { prefetch, roundTrip } = adaptive(4);
    prefetch.finished(0.5);
    roundTrip(1);
    expect(prefetch.value).toBe(16); // 2 × 4 slots × 1 ms / 0.5 ms
  });

  test('never exceeds its bound, however short the tasks', () => {
    const { prefetch, roundTrip } = adaptive(4);
    prefetch.finished(0);
    roundTrip(5);
    expect(prefetch.value).toBe(MAX_PREFETCH_FACTOR * 4);
  });

  test('takes the shortest recent round trip: a scatter with nothing to send makes a long wait, not a long round trip', () => {
    const { prefetch, roundTrip } = adaptive(2);
    prefetch.finished(1);
    roundTrip(1);
    expect(prefetch.value).toBe(4);
    roundTrip(60_000);
    expect(prefetch.value).toBe(4);
  });

  test('forgets round trips older than the last 16', () => {
    const { prefetch, roundTrip } = adaptive(1);
    prefetch.finished(1);
    roundTrip(1);
    for (let i = 0; i < 16; i++) roundTrip(3);
    expect(prefetch.value).toBe(6);
  });

  test('a join with no batch yet is one round trip, however often the worker joins again meanwhile', () => {
    let now = 0;
    const prefetch = new Prefetch(1, undefined, () => now);
    prefetch.finished(1);
    prefetch.joined();
    now += 2;
    prefetch.joined();
    now += 2;
    prefetch.arrived();
    expect(prefetch.value).toBe(8);
  });

  test('a fixed prefetch does not adapt', () => {
    let now = 0;
    const prefetch = new Prefetch(4, 0, () => now);
    prefetch.finished(0.01);
    prefetch.joined();
    now += 10;
    prefetch.arrived();
    expect(prefetch.value).toBe(0);
  });
});
