import { PipelineError, Stream } from '../../src';
import { graphOf, renderGraph } from '../../src/inspect/graph';
import { InspectionModel } from '../../src/inspect/model';
import { ControlledWorkers } from '../support/controlled-workers';

function inc(x: number): number {
  return x + 1;
}

function even(x: number): boolean {
  return x % 2 === 0;
}

/** A clock the test moves by hand (epoch-like milliseconds). */
function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('inspection model', () => {
  test('its graph is the graph visualize() renders, with counters on every node', () => {
    const source = new Stream<number>({ name: 'numbers' });
    const kept = source.map(inc).filter(even);
    kept.sinkToList();
    const model = new InspectionModel({ pipelines: [source] });
    for (let i = 0; i < 4; i++) source.emit(i);
    const { graph } = model.sample();
    const plain = graphOf(source);
    expect(graph.edges).toEqual(plain.edges);
    expect(graph.nodes.map(({ id, label, kind, state }) => ({ id, label, kind, state }))).toEqual(plain.nodes);
    expect(renderGraph({ nodes: graph.nodes, edges: graph.edges }, 'mermaid')).toBe(source.visualize());
    expect(graph.nodes.map((n) => [n.label, n.role, n.in, n.out])).toEqual([
      ['<numbers; Stream>', 'source', 4, 4],
      ['<map: inc>', 'operator', 4, 4],
      ['<filter: even>', 'operator', 4, 2],
      [String(kept.downstreams[0]), 'sink', 2, 0],
    ]);
    model.close();
  });

  test('rates are elements per second over the rate window; history keeps the last samples', () => {
    const clock = manualClock();
    const source = new Stream<number>();
    source.sinkToList();
    const model = new InspectionModel({ pipelines: [source] }, { now: clock.now, history: 2, rateWindow: 500 });
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < 50 * round; i++) source.emit(i);
      clock.advance(500);
      model.sample();
    }
    const state = model.state();
    expect(state.graph.nodes.map((n) => n.rate)).toEqual([300, 300]);
    expect(state.throughput.emitted).toEqual([200, 300]);
    expect(state.throughput.times).toEqual([1_001_000, 1_001_500].map((ms) => ms / 1000));
    model.close();
  });

  test('reading the state between samples changes no rate and adds no history point', () => {
    const clock = manualClock();
    const source = new Stream<number>();
    source.sinkToList();
    const model = new InspectionModel({ pipelines: [source] }, { now: clock.now, rateWindow: 500 });
    for (let i = 0; i < 20; i++) source.emit(i);
    clock.advance(500);
    model.sample();
    for (let i = 0; i < 20; i++) source.emit(i);
    clock.advance(5);
    const read = model.state();
    model.inspector();
    clock.advance(495);
    const { throughput, graph } = model.sample();
    expect(read.throughput.emitted).toEqual([40]);
    expect(throughput.emitted).toEqual([40, 40]);
    expect(graph.nodes[0].rate).toBe(40);
    model.close();
  });

  test('counts that move once per heartbeat give a steady rate, not a sawtooth', () => {
    const clock = manualClock();
    const workers = new ControlledWorkers(clock.now);
    workers.join('w1');
    const model = new InspectionModel({ workers }, { now: clock.now, rateWindow: 500 });
    let seq = 0;
    for (let tick = 1; tick <= 12; tick++) {
      clock.advance(500);
      if (tick % 2 === 0) for (let i = 0; i < 8; i++) workers.finish('w1', 'inc', seq++);
      model.sample();
    }
    expect(model.state().throughput.tasks.slice(-6)).toEqual([8, 8, 8, 8, 8, 8]);
    model.close();
  });

  test('progress counts emitted, in flight, done and failed elements', async () => {
    const source = new Stream<number>();
    let release: () => void = () => undefined;
    source.map(inc).sink((x) => {
      if (x === 3) throw new Error('three');
      if (x === 4) return new Promise<void>((resolve) => (release = resolve));
    });
    const model = new InspectionModel({ pipelines: [source] });
    source.emit(0);
    expect(() => source.emit(2)).toThrow('three');
    const held = source.emit(3);
    expect(model.sample().progress).toEqual({ emitted: 3, inFlight: 1, done: 1, failed: 1 });
    expect(model.state().errors).toEqual([expect.objectContaining({ node: '<sink>', element: '3', message: 'Error: three' })]);
    release();
    await held;
    expect(model.sample().progress).toEqual({ emitted: 3, inFlight: 0, done: 2, failed: 1 });
    model.close();
  });

  test('nodes connected later are picked up at the next sample with every element they received', () => {
    const source = new Stream<number>();
    source.sinkToList();
    const model = new InspectionModel({ pipelines: () => [source] });
    source.emit(0);
    const late = source.map(inc);
    late.sinkToList();
    source.emit(1);
    expect(model.sample().graph.nodes.find((n) => n.id === late.id)).toEqual(expect.objectContaining({ in: 1, out: 1 }));
    source.emit(2);
    expect(model.sample().graph.nodes.find((n) => n.id === late.id)).toEqual(expect.objectContaining({ in: 2, out: 2 }));
    model.close();
  });

  test('actors: every node lifecycle actor, named after its node, with its state and last event', () => {
    const source = new Stream<number>({ name: 'numbers' });
    const sink = source.sink(function store() {});
    const model = new InspectionModel({ pipelines: [source] });
    source.emit(1);
    const actors = model.sample().actors;
    expect(actors.find((a) => a.sessionId === sink.actorId)).toEqual(expect.objectContaining({ id: `node-${sink.id}`, name: 'sink: store', node: sink.id, machine: 'node', state: 'running', lastEvent: 'ACTIVATE', events: 1 }));
    expect(actors.find((a) => a.sessionId === source.actorId)).toEqual(expect.objectContaining({ name: 'numbers; Stream', node: source.id, state: 'running' }));
    expect(model.state().graph.nodes.map((n) => n.actors)).toEqual([[`node-${source.id}`], [`node-${sink.id}`]]);
    sink.destroy();
    expect(model.sample().actors.find((a) => a.sessionId === sink.actorId)).toEqual(expect.objectContaining({ state: 'stopped', lastEvent: 'STOP', events: 2 }));
    model.close();
  });

  test('the inspector view: an actor with its machine and timeline', () => {
    const source = new Stream<number>();
    const sink = source.sink(() => undefined);
    const model = new InspectionModel({ pipelines: [source] });
    source.emit(1);
    model.sample();
    const { selected, actors } = model.inspector(`node-${sink.id}`);
    expect(actors.length).toBeGreaterThanOrEqual(2);
    expect(selected?.timeline.map(({ event, state }) => [event, state])).toEqual([['ACTIVATE', 'running']]);
    expect(selected?.machine?.states).toEqual(['idle', 'running', 'paused', 'finished', 'draining', 'stopped', 'failed']);
    expect(selected?.machine?.transitions).toContainEqual({ from: 'idle', to: 'running', event: 'ACTIVATE' });
    model.close();
  });

  test('a worker that leaves the directory or stops beating is shown as gone', () => {
    const clock = manualClock();
    const workers = new ControlledWorkers(clock.now);
    workers.join('a', 2);
    workers.join('b', 4);
    workers.join('c', 1);
    const model = new InspectionModel({ workers }, { now: clock.now, goneAfter: 3000 });
    expect(model.sample().workers.map((w) => [w.id, w.status])).toEqual([
      ['a', 'alive'],
      ['b', 'alive'],
      ['c', 'alive'],
    ]);
    workers.kill('b');
    clock.advance(4000);
    workers.finish('a', 'inc', 1);
    const state = model.sample();
    expect(state.workers.map((w) => [w.id, w.status, w.heartbeatAge])).toEqual([
      ['a', 'alive', 0],
      ['b', 'gone', 4000],
      ['c', 'gone', 4000],
    ]);
    model.close();
  });

  test('tasks form the task stream; failed ones appear among errors with element, task and seq', () => {
    const workers = new ControlledWorkers();
    workers.join('w1');
    const model = new InspectionModel({ workers, tasks: workers });
    workers.finish('w1', 'inc', 0);
    workers.finish('w1', 'inc', 1, false);
    const state = model.sample();
    expect(state.tasks.map((t) => [t.worker, t.task, t.seq, t.ok])).toEqual([
      ['w1', 'inc', 0, true],
      ['w1', 'inc', 1, false],
    ]);
    expect(state.errors).toEqual([{ time: expect.any(Number), worker: 'w1', element: '1', task: 'inc', seq: 1, message: 'Error: boom' }]);
    expect(state.progress).toEqual({ emitted: 2, inFlight: 0, done: 1, failed: 1 });
    model.close();
    workers.finish('w1', 'inc', 2);
    expect(model.state().tasks).toHaveLength(2);
  });

  test('a failed task reported by the worker and by the node that gathers it shows once, with both', () => {
    const workers = new ControlledWorkers();
    workers.join('w1');
    const gather = new Stream<number>({ name: 'gather' });
    gather.errors.sink(() => undefined);
    const model = new InspectionModel({ workers, tasks: workers, pipelines: [gather] });
    workers.finish('w1', 'inc', 1, false);
    gather.reportError(1, new PipelineError('<gather>', 1, new Error('boom'), 'inc', 1));
    gather.reportError(2, new PipelineError('<gather>', 2, new Error('bang'), 'inc', 2));
    expect(model.sample().errors.map(({ node, worker, element, seq }) => ({ node, worker, element, seq }))).toEqual([
      { node: '<gather>', worker: 'w1', element: '1', seq: 1 },
      { node: '<gather>', worker: undefined, element: '2', seq: 2 },
    ]);
    model.close();
  });

  test('after close() the state stays as last sampled and nothing more is recorded', () => {
    const source = new Stream<number>();
    source.map(inc).sink(() => {
      throw new Error('late');
    });
    const model = new InspectionModel({ pipelines: [source] });
    const last = model.sample();
    model.close();
    expect(() => source.emit(1)).toThrow('late');
    expect(model.sample()).toBe(last);
    expect(model.state().errors).toEqual([]);
  });

  test('the state is plain JSON', () => {
    const source = new Stream<bigint>();
    source.sink(() => {
      throw new Error('no');
    });
    const model = new InspectionModel({ pipelines: [source] });
    expect(() => source.emit(1n)).toThrow('no');
    const state = model.sample();
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    model.close();
  });
});
