import type { TaskEvent } from '../../src';
import type { MessageEvent } from '../../src/inspect/workers';
import { BusTaskFeed } from '../../src/inspect/bus-tasks';
import { InProcessBus } from '../../src/transport/in-process-bus';
import { PROTOCOL_VERSION } from '../../src/distributed/protocol';

const REPLY = 'rivulet.results.p1';

describe('BusTaskFeed', () => {
  test('turns results into task events (task, worker, how long it ran), failures with their error', async () => {
    const bus = new InProcessBus();
    const now = 1250;
    const feed = new BusTaskFeed('rivulet', () => now);
    feed.attach(bus);
    const events: TaskEvent[] = [];
    const stop = feed.onTask((event) => events.push(event));
    bus.publish(REPLY, {
      v: PROTOCOL_VERSION,
      worker: 'w1',
      results: [
        { seq: 0, attempt: 0, ok: true, values: [1], task: 'inc>even', ms: 250 },
        { seq: 1, attempt: 0, ok: false, task: 'even', error: { name: 'TypeError', message: 'odd' }, ms: 50 },
      ],
    });
    bus.publish(REPLY, { v: 99, worker: 'w1', results: [] });
    bus.publish(REPLY, 'garbage');
    expect(events).toEqual([
      { worker: 'w1', task: 'inc>even', seq: 0, start: 1000, end: 1250, ok: true },
      { worker: 'w1', task: 'even', seq: 1, start: 1200, end: 1250, ok: false, error: 'TypeError: odd' },
    ]);
    stop();
    bus.publish(REPLY, { v: PROTOCOL_VERSION, worker: 'w1', results: [{ seq: 2, attempt: 0, ok: true, values: [] }] });
    expect(events).toHaveLength(2);
    await bus.close();
  });

  test('listens from the moment a bus is attached, also when listeners came first; never on the task subject', async () => {
    const bus = new InProcessBus();
    const feed = new BusTaskFeed();
    const events: TaskEvent[] = [];
    feed.onTask((event) => events.push(event));
    const result = (seq: number): unknown => ({ v: PROTOCOL_VERSION, worker: 'w2', results: [{ seq, attempt: 0, ok: true, values: [], task: 'inc' }] });
    bus.publish(REPLY, result(0));
    feed.attach(bus);
    bus.publish(REPLY, result(1));
    expect(events.map((e) => [e.seq, e.task])).toEqual([[1, 'inc']]);
    await expect(bus.request('rivulet.tasks.default', {}, { timeout: 100 })).rejects.toThrow('no responders');
    await bus.close();
  });

  test('tells the tasks a result answers, the result batch, capacity credits and credit grants as messages between the actors at both ends', async () => {
    const bus = new InProcessBus();
    const control = new InProcessBus();
    const feed = new BusTaskFeed('rivulet', () => 7);
    feed.attach(bus);
    feed.attachControl(control);
    const messages: MessageEvent[] = [];
    const stop = feed.onMessage((event) => messages.push(event));
    bus.publish(REPLY, {
      v: PROTOCOL_VERSION,
      worker: 'w1',
      results: [
        { seq: 4, attempt: 0, ok: false, task: 'inc', error: { name: 'Error', message: 'no' }, ms: 2 },
        { seq: 5, attempt: 1, ok: true, values: [1], task: 'inc', ms: 1 },
      ],
    });
    bus.publish('rivulet.credit.pool.default', { v: PROTOCOL_VERSION, worker: 'w1', free: 2 });
    control.publish('rivulet.credit.segment.p1', { v: PROTOCOL_VERSION, credits: 1 });
    expect(messages).toEqual([
      { time: 5, kind: 'tasks', from: 'scatter-p1', to: 'worker-w1', segment: 'p1', count: 2, label: 'inc #4..#5 (1 re-sent)' },
      { time: 7, kind: 'results', from: 'worker-w1', to: 'gather-p1', segment: 'p1', count: 2, label: 'results #4..#5 (1 failed)' },
      { time: 7, kind: 'credit', from: 'worker-w1', to: 'scatter', segment: 'default', count: 2, label: 'capacity +2' },
      { time: 7, kind: 'credit', from: 'gather-p1', to: 'scatter-p1', segment: 'p1', count: 1, label: 'credit +1' },
    ]);
    stop();
    control.publish('rivulet.credit.segment.p1', { v: PROTOCOL_VERSION, credits: 1 });
    expect(messages).toHaveLength(4);
    await bus.close();
    await control.close();
  });
});
