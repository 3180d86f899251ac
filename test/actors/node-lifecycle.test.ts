import { createActor } from 'xstate';
import { nodeLifecycle, type LifecycleEvent } from '../../src/actors/node-lifecycle';
import { observeActors, Stream } from '../../src';

function statesAfter(events: LifecycleEvent[]): string[] {
  const actor = createActor(nodeLifecycle).start();
  const seen: string[] = [String(actor.getSnapshot().value)];
  for (const event of events) {
    actor.send(event);
    seen.push(String(actor.getSnapshot().value));
  }
  actor.stop();
  return seen;
}

describe('node lifecycle actor', () => {
  test('a node goes idle -> running -> paused -> draining -> running -> stopped', () => {
    expect(
      statesAfter([{ type: 'ACTIVATE' }, { type: 'HOLD' }, { type: 'DRAIN' }, { type: 'RELEASE' }, { type: 'STOP' }]),
    ).toEqual(['idle', 'running', 'paused', 'draining', 'running', 'stopped']);
  });

  test('a source runs, finishes, and can be started again', () => {
    expect(statesAfter([{ type: 'START' }, { type: 'FINISH' }, { type: 'START' }])).toEqual([
      'idle',
      'running',
      'finished',
      'running',
    ]);
  });

  test('failed is left only by start or stop', () => {
    expect(statesAfter([{ type: 'ACTIVATE' }, { type: 'FAIL', error: new Error('x') }, { type: 'HOLD' }, { type: 'START' }])).toEqual([
      'idle',
      'running',
      'failed',
      'failed',
      'running',
    ]);
  });

  test('inspection observers see one transition per node (source, map, sink), not one per element', () => {
    const snapshots: string[] = [];
    const unsubscribe = observeActors((event) => {
      if (event.type === '@xstate.snapshot') snapshots.push(String((event.snapshot as { value?: unknown }).value));
    });
    const source = new Stream<number>();
    source.map((x) => x + 1).sinkToList();
    for (let i = 0; i < 100; i++) source.emit(i);
    unsubscribe();
    source.emit(100);
    expect(snapshots.filter((state) => state === 'running')).toHaveLength(3);
    expect(snapshots.length).toBeLessThan(10);
  });
});
