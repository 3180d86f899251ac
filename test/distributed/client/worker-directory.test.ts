import { MAX_KNOWN_WORKERS, WorkerDirectory } from '../../../src/distributed/client/worker-directory';
import { PROTOCOL_VERSION, type Heartbeat } from '../../../src/distributed/protocol';
import { Subjects } from '../../../src/distributed/subjects';
import { InProcessBus } from '../../../src/transport/in-process-bus';
import { ManualScheduler } from '../../support/manual-scheduler';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WorkerDirectory', () => {
  const subjects = new Subjects('dir');
  let bus: InProcessBus;
  let scheduler: ManualScheduler;
  let directory: WorkerDirectory;

  const beat = (id: string, interval = 1000): void => {
    const heartbeat: Heartbeat = { v: PROTOCOL_VERSION, id, pool: subjects.pool, capacity: 1, inFlight: 0, done: 0, failed: 0, phase: 'ready', interval, free: 1, tasks: {} };
    bus.publish(subjects.heartbeat, heartbeat);
  };
  const known = (): string[] => directory.list().map((worker) => worker.id);

  beforeEach(() => {
    bus = new InProcessBus();
    scheduler = new ManualScheduler();
    directory = new WorkerDirectory(subjects, scheduler);
    directory.attach(bus);
  });

  afterEach(() => directory.close());

  test('a flood of ghost heartbeats cannot lock out a real worker that was lost and beats again; workers that took tasks are never pushed out', async () => {
    beat('real');
    scheduler.advance(3_500); // it missed three heartbeats: lost
    await settle();
    expect(known()).toEqual([]);
    beat('serving');
    await settle();
    directory.took('serving', 1, directory.announced);
    for (let i = 0; i < 2 * MAX_KNOWN_WORKERS; i++) {
      scheduler.advance(1);
      beat(`ghost-${i}`, 60_000);
    }
    await settle();
    expect(known()).toHaveLength(MAX_KNOWN_WORKERS);
    expect(known()).toContain('serving');
    beat('real');
    await settle();
    expect(known()).toHaveLength(MAX_KNOWN_WORKERS);
    expect(known()).toEqual(expect.arrayContaining(['real', 'serving', `ghost-${2 * MAX_KNOWN_WORKERS - 1}`]));
    expect(known()).not.toContain(`ghost-${MAX_KNOWN_WORKERS}`);
  });
});
