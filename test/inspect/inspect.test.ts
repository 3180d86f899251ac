import type { InspectionEvent } from 'xstate';
import { Stream, inspect, type DashboardState } from '../../src';

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
    stop();
    jest.advanceTimersByTime(500);
    expect(samples).toHaveLength(2);
  });

  test('no actor event is delivered after unsubscribing, and nothing stays installed on a node', () => {
    const source = new Stream<number>();
    const sink = source.sink(() => undefined);
    const events: InspectionEvent[] = [];
    const stop = inspect(source, { actor: (event) => events.push(event) });
    stop();
    source.emit(1);
    sink.destroy();
    expect(events).toEqual([]);
    expect(['update', 'emit', 'reportError'].filter((name) => Object.hasOwn(source, name))).toEqual([]);
  });
});
