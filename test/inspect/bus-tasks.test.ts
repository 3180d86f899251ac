import type { TaskEvent } from '../../src';
import type { MessageEvent } from '../../src/inspect/workers';
import { BusTaskFeed } from '../../src/inspect/bus-tasks';
import { InProcessBus } from '../../src/transport/in-process-bus';
import { PROTOCOL_VERSION } from '../../src/transport/protocol';

const REPLY = 'rivulet.results.p1';

function sendTasks(bus: InProcessBus, worker: string, seqs: number[]): void {
  const chain = [
    { op: 'map', task: 'inc' },
    { op: 'filter', task: 'even' },
  ];
  const tasks = seqs.map((seq) => ({ seq, attempt: 0, value: seq * 100 }));
  bus.publish(`rivulet.tasks.default.${worker}`, { v: PROTOCOL_VERSION, pipeline: 'p1', reply: REPLY, chain, tasks });
}

describe('BusTaskFeed', () => {
  test('pairs task batches with their results into task events, failures with element and task', async () => {
    const bus = new InProcessBus();
    let now = 1000;
    const feed = new BusTaskFeed('rivulet', () => now);
    feed.attach(bus);
    const events: TaskEvent[] = [];
    const stop = feed.onTask((event) => events.push(event));
    sendTasks(bus, 'w1', [0, 1]);
    now = 1250;
    bus.publish(REPLY, {
      v: PROTOCOL_VERSION,
      worker: 'w1',
      results: [
        { seq: 0, attempt: 0, ok: true, values: [1] },
        { seq: 1, attempt: 0, ok: false, task: 'even', error: { name: 'TypeError', message: 'odd' } },
      ],
    });
    bus.publish(REPLY, { v: 99, worker: 'w1', results: [] });
    bus.publish('rivulet.tasks.default.w1', 'garbage');
    expect(events).toEqual([
      { worker: 'w1', task: 'inc>even', seq: 0, start: 1000, end: 1250, ok: true },
      { worker: 'w1', task: 'even', seq: 1, start: 1000, end: 1250, ok: false, element: 100, error: 'TypeError: odd' },
    ]);
    stop();
    sendTasks(bus, 'w1', [2]);
    bus.publish(REPLY, { v: PROTOCOL_VERSION, worker: 'w1', results: [{ seq: 2, attempt: 0, ok: true, values: [] }] });
    expect(events).toHaveLength(2);
    await bus.close();
  });

  test('listens from the moment a bus is attached, also when listeners came first', async () => {
    const bus = new InProcessBus();
    const feed = new BusTaskFeed();
    const events: TaskEvent[] = [];
    feed.onTask((event) => events.push(event));
    sendTasks(bus, 'w2', [0]);
    feed.attach(bus);
    sendTasks(bus, 'w2', [1]);
    bus.publish(REPLY, {
      v: PROTOCOL_VERSION,
      worker: 'w2',
      results: [
        { seq: 0, attempt: 0, ok: true, values: [] },
        { seq: 1, attempt: 0, ok: true, values: [] },
      ],
    });
    expect(events.map((e) => [e.seq, e.task])).toEqual([
      [0, 'task'],
      [1, 'inc>even'],
    ]);
    await bus.close();
  });

  test('tells every task batch, result batch and credit grant as a message between the actors at both ends', async () => {
    const bus = new InProcessBus();
    const control = new InProcessBus();
    const feed = new BusTaskFeed('rivulet', () => 7);
    feed.attach(bus);
    feed.attachControl(control);
    const messages: MessageEvent[] = [];
    const stop = feed.onMessage((event) => messages.push(event));
    sendTasks(bus, 'w1', [4, 5, 6]);
    bus.publish(REPLY, { v: PROTOCOL_VERSION, worker: 'w1', results: [{ seq: 4, attempt: 0, ok: false, task: 'inc', error: { name: 'Error', message: 'no' } }] });
    control.publish('rivulet.credit.p1', { v: PROTOCOL_VERSION, credits: 1 });
    bus.publish('rivulet.tasks.default.w2', { v: PROTOCOL_VERSION, pipeline: 'p1', reply: REPLY, chain: [{ op: 'map', task: 'inc' }], tasks: [{ seq: 5, attempt: 1, value: 0 }] });
    expect(messages).toEqual([
      { time: 7, kind: 'tasks', from: 'scatter-p1', to: 'worker-w1', segment: 'p1', count: 3, label: 'inc>even #4..#6' },
      { time: 7, kind: 'results', from: 'worker-w1', to: 'gather-p1', segment: 'p1', count: 1, label: 'results #4 (1 failed)' },
      { time: 7, kind: 'credit', from: 'gather-p1', to: 'scatter-p1', segment: 'p1', count: 1, label: 'credit +1' },
      { time: 7, kind: 'tasks', from: 'scatter-p1', to: 'worker-w2', segment: 'p1', count: 1, label: 'inc #5 (1 re-sent)' },
    ]);
    stop();
    control.publish('rivulet.credit.p1', { v: PROTOCOL_VERSION, credits: 1 });
    expect(messages).toHaveLength(4);
    await bus.close();
    await control.close();
  });
});
