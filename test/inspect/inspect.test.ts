import type { InspectionEvent } from 'xstate';
import { HeartbeatDirectory, Stream, inspect, type DashboardState } from '../../src';
import { isCounted } from '../../src/inspect/counters';

function inc(x: number): number {
  return x + 1;
}

describe('inspect()', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  test('delivers actor transitions as they happen and counters every interval', () => {
    jest.useFakeTimers();
    const source = new Stream<number>();
    const sink = source.map(inc).sink(() => undefined);
    const events: InspectionEvent[] = [];
    const samples: DashboardState[] = [];
    const stop = inspect(source, { actor: (event) => events.push(event), sample: (state) => samples.push(state) }, { interval: 100 });
    for (let i = 0; i < 5; i++) source.emit(i);
    sink.destroy();
    const snapshots = events.filter((e) => e.type === '@xstate.snapshot' && e.actorRef.sessionId === sink.actorId);
    expect(snapshots.map((e) => (e.type === '@xstate.snapshot' ? (e.snapshot as unknown as { value: string }).value : ''))).toEqual(['running', 'stopped']);
    expect(samples).toEqual([]);
    jest.advanceTimersByTime(250);
    expect(samples).toHaveLength(2);
    expect(samples[1].graph.nodes.map((n) => [n.in, n.out])).toEqual([
      [5, 5],
      [5, 5],
    ]);
    expect(isCounted(sink)).toBe(false);
    stop();
    jest.advanceTimersByTime(500);
    expect(samples).toHaveLength(2);
    expect(source.graph().some(isCounted)).toBe(false);
  });

  test('nothing is counted and no actor event is delivered after unsubscribing', () => {
    const source = new Stream<number>();
    const sink = source.sink(() => undefined);
    const events: InspectionEvent[] = [];
    const stop = inspect(source, { actor: (event) => events.push(event) });
    stop();
    source.emit(1);
    sink.destroy();
    expect(events).toEqual([]);
    expect(Object.hasOwn(source, 'emit')).toBe(false);
  });
});

describe('HeartbeatDirectory', () => {
  test('lists workers from their heartbeats, ignores malformed ones and forgets silent workers', () => {
    let now = 1000;
    const directory = new HeartbeatDirectory(5000, () => now);
    expect(directory.receive({ id: 'w1', capacity: 4, inFlight: 2, done: 10, failed: 1 })).toBe(true);
    expect(directory.receive({ worker: 'w2', capacity: 1 })).toBe(true);
    for (const bad of [null, 'w3', { id: '' }, { capacity: 2 }]) expect(directory.receive(bad)).toBe(false);
    expect(directory.workers()).toEqual([
      { id: 'w1', capacity: 4, inFlight: 2, done: 10, failed: 1, lastHeartbeat: 1000 },
      { id: 'w2', capacity: 1, inFlight: 0, done: 0, failed: 0, lastHeartbeat: 1000 },
    ]);
    now = 4000;
    directory.receive({ id: 'w1', capacity: 4, inFlight: 0, done: 12, failed: 1, extra: 'ignored' });
    now = 7000;
    expect(directory.workers()).toEqual([{ id: 'w1', capacity: 4, inFlight: 0, done: 12, failed: 1, lastHeartbeat: 4000 }]);
  });
});
