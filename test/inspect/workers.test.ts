import { HeartbeatDirectory } from '../../src';
import { WorkerRoster } from '../../src/inspect/workers';
import { PROTOCOL_VERSION } from '../../src/distributed/protocol';

/** A heartbeat as a worker publishes it. */
function beat(id: string, counts: { inFlight?: number; done?: number; failed?: number } = {}, phase = 'ready'): Record<string, unknown> {
  return { v: PROTOCOL_VERSION, id, pool: 'default', capacity: 4, inFlight: 0, done: 0, failed: 0, ...counts, phase, interval: 1000 };
}

describe('HeartbeatDirectory', () => {
  test('lists workers from their heartbeats, ignores malformed ones and forgets silent workers', () => {
    let now = 1000;
    const directory = new HeartbeatDirectory(5000, () => now);
    expect(directory.receive(beat('w1', { inFlight: 2, done: 10, failed: 1 }))).toBe(true);
    expect(directory.receive(beat('w2'))).toBe(true);
    for (const bad of [null, 'w3', { ...beat('w3'), id: 3 }, { ...beat('w3'), capacity: -1 }, { ...beat('w3'), phase: 'sleeping' }, { ...beat('w3'), v: 99 }]) {
      expect([bad, directory.receive(bad)]).toEqual([bad, false]);
    }
    expect(directory.workers()).toEqual([
      { id: 'w1', capacity: 4, inFlight: 2, done: 10, failed: 1, lastHeartbeat: 1000 },
      { id: 'w2', capacity: 4, inFlight: 0, done: 0, failed: 0, lastHeartbeat: 1000 },
    ]);
    now = 4000;
    directory.receive(beat('w1', { done: 12, failed: 1 }));
    now = 7000;
    expect(directory.workers()).toEqual([{ id: 'w1', capacity: 4, inFlight: 0, done: 12, failed: 1, lastHeartbeat: 4000 }]);
    directory.receive(beat('w1', { done: 12, failed: 1 }, 'stopped'));
    expect(directory.workers()).toEqual([]);
  });
});

describe('WorkerRoster', () => {
  test('keeps a worker that left as gone with nothing in flight, and brings it back when it returns', () => {
    const roster = new WorkerRoster(1000);
    const beat = { id: 'w1', capacity: 2, inFlight: 2, done: 5, failed: 0, lastHeartbeat: 100 };
    expect(roster.update([beat], 600).map((w) => [w.status, w.heartbeatAge, w.inFlight])).toEqual([['alive', 500, 2]]);
    expect(roster.update([beat], 1200).map((w) => [w.status, w.heartbeatAge, w.inFlight])).toEqual([['gone', 1100, 2]]);
    expect(roster.update([], 1300).map((w) => [w.status, w.heartbeatAge, w.inFlight, w.done])).toEqual([['gone', 1200, 0, 5]]);
    expect(roster.update([{ ...beat, lastHeartbeat: 1300 }], 1300).map((w) => w.status)).toEqual(['alive']);
  });
});
