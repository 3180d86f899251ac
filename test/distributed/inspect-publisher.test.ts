/** A worker's actor reports for remote inspectors: only while asked, bounded in rate and size. */
import { createActor } from 'xstate';
import { workerMachine } from '../../src/actors/worker';
import { INSPECT_LIMITS, readActorReport, readInspectWatch, type ActorReport } from '../../src/distributed/inspect-protocol';
import { PROTOCOL_VERSION } from '../../src/distributed/protocol';
import { Subjects } from '../../src/distributed/subjects';
import { InspectPublisher, REPORT_GAP } from '../../src/distributed/worker/inspect-publisher';
import { InProcessBus } from '../../src/transport/in-process-bus';

const LEASE = 3000;

describe('InspectPublisher', () => {
  const subjects = new Subjects('t');
  let bus: InProcessBus;
  let reports: ActorReport[];
  let publisher: InspectPublisher;
  let actor: ReturnType<typeof createActor<typeof workerMachine>>;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    bus = new InProcessBus();
    reports = [];
    bus.subscribe(subjects.inspect('*'), (message) => reports.push(readActorReport(message.data)));
    publisher = new InspectPublisher('w1', subjects);
    actor = createActor(workerMachine, { id: 'worker-w1', inspect: publisher.record });
    actor.start();
    publisher.attach(bus);
    actor.send({ type: 'CONNECTED' });
  });

  afterEach(async () => {
    publisher.close();
    await bus.close();
    jest.useRealTimers();
  });

  const ask = (): void => bus.publish(subjects.inspectWatch, { v: PROTOCOL_VERSION, lease: LEASE });
  const steps = (report: ActorReport | undefined): string[] => (report?.timeline ?? []).map((entry) => `${entry.event}>${entry.state}`);

  test('publishes nothing unasked', () => {
    actor.send({ type: 'BUSY' });
    actor.send({ type: 'IDLE' });
    jest.advanceTimersByTime(10 * REPORT_GAP);
    publisher.close();
    expect(reports).toEqual([]);
  });

  test('answers an ask with its state, timeline, origin and machine', () => {
    actor.send({ type: 'BUSY' });
    ask();
    jest.advanceTimersByTime(0);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ worker: 'w1', actor: 'worker-w1', machine: 'worker', state: 'busy', status: 'active', pid: process.pid, lastEvent: 'BUSY' });
    expect(steps(reports[0])).toEqual(['xstate.init>connecting', 'CONNECTED>ready', 'BUSY>busy']);
    expect(reports[0].graph?.states).toEqual(['connecting', 'ready', 'busy', 'saturated', 'draining', 'stopped']);
  });

  test('while asked, reports transitions at most once per REPORT_GAP (the machine only after an ask), with at most the last 50', () => {
    ask();
    jest.advanceTimersByTime(0);
    for (let i = 0; i < 100; i++) {
      actor.send({ type: 'BUSY' });
      actor.send({ type: 'IDLE' });
      ask();
    }
    jest.advanceTimersByTime(REPORT_GAP - 1);
    expect(reports).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(reports).toHaveLength(2);
    expect(reports[1].timeline).toHaveLength(INSPECT_LIMITS.timeline);
    expect(steps(reports[1]).slice(-2)).toEqual(['BUSY>busy', 'IDLE>ready']);
    expect(reports[1].events).toBe(2 + 200); // xstate.init, CONNECTED, then the 200 sends
    expect(reports[1].graph).toBeDefined();
    actor.send({ type: 'BUSY' });
    jest.advanceTimersByTime(REPORT_GAP);
    expect(reports).toHaveLength(3);
    expect(reports[2]).toMatchObject({ state: 'busy' });
    expect(reports[2].graph).toBeUndefined();
  });

  test('stops reporting when the lease ends', () => {
    ask();
    jest.advanceTimersByTime(LEASE);
    const before = reports.length;
    actor.send({ type: 'BUSY' });
    jest.advanceTimersByTime(10 * REPORT_GAP);
    expect(reports).toHaveLength(before);
  });

  test('closing while asked tells the final state at once', () => {
    ask();
    jest.advanceTimersByTime(0);
    actor.send({ type: 'DRAIN' });
    actor.send({ type: 'STOPPED' });
    publisher.close();
    expect(reports.at(-1)).toMatchObject({ state: 'stopped', status: 'done' });
  });

  test('ignores a malformed ask', () => {
    bus.publish(subjects.inspectWatch, { v: PROTOCOL_VERSION, lease: INSPECT_LIMITS.lease + 1 });
    bus.publish(subjects.inspectWatch, 'watch');
    jest.advanceTimersByTime(REPORT_GAP);
    expect(reports).toEqual([]);
  });
});

describe('the inspect protocol readers', () => {
  const report = (changes: Record<string, unknown> = {}): Record<string, unknown> => ({
    v: PROTOCOL_VERSION,
    worker: 'w1',
    host: 'h',
    pid: 1,
    thread: 0,
    actor: 'worker-w1',
    machine: 'worker',
    state: 'ready',
    status: 'active',
    events: 1,
    updated: 1,
    timeline: [],
    ...changes,
  });

  test('a well-formed report and watch pass', () => {
    expect(readActorReport(report()).state).toBe('ready');
    expect(readInspectWatch({ v: PROTOCOL_VERSION, lease: 1 }).lease).toBe(1);
  });

  test.each([
    ['a worker id that is no subject token', { worker: 'a.b' }],
    ['a state longer than the limit', { state: 'x'.repeat(INSPECT_LIMITS.text + 1) }],
    ['a timeline longer than the limit', { timeline: Array.from({ length: INSPECT_LIMITS.timeline + 1 }, () => ({ time: 1, event: 'E', state: 's' })) }],
    ['a machine with too many transitions', { graph: { id: 'm', states: [], transitions: Array.from({ length: INSPECT_LIMITS.transitions + 1 }, () => ({ from: 'a', to: 'b', event: 'E' })) } }],
    ['an unknown status', { status: 'lost' }],
    ['another protocol version', { v: PROTOCOL_VERSION + 1 }],
  ])('a report with %s is refused', (_what, changes) => {
    expect(() => readActorReport(report(changes))).toThrow();
  });

  test.each([0, INSPECT_LIMITS.lease + 1, 1.5])('a watch with lease %p is refused', (lease) => {
    expect(() => readInspectWatch({ v: PROTOCOL_VERSION, lease })).toThrow();
  });
});
