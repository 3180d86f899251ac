import { PipelineError, Stream } from '../../src';
import { countersOf } from '../../src/inspect/counters';
import { observeFailures } from '../../src/actors/inspection';

function inc(x: number): number {
  return x + 1;
}

describe('per-node counters', () => {
  test('every node counts in, out and errors from construction, with nothing installed on it', () => {
    const source = new Stream<number>();
    const mapped = source.map(inc);
    const kept = mapped.filter((x) => x % 2 === 0);
    const out = kept.sinkToList();
    for (let i = 0; i < 4; i++) source.emit(i);
    expect([source, mapped, kept].map(countersOf)).toEqual([
      { in: 4, out: 4, errors: 0, pending: 0 },
      { in: 4, out: 4, errors: 0, pending: 0 },
      { in: 4, out: 2, errors: 0, pending: 0 },
    ]);
    expect(['update', 'emit', 'reportError'].filter((name) => Object.hasOwn(mapped, name))).toEqual([]);
    expect(out).toEqual([2, 4]);
  });

  test('in counts only what arrived while connected, across connects and disconnects', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const late = new Stream<number>();
    a.emit(0);
    a.connect(late);
    a.emit(1);
    b.emit(0);
    b.connect(late);
    b.emit(2);
    a.disconnect(late);
    a.emit(3);
    b.emit(4);
    expect(countersOf(late)).toEqual({ in: 3, out: 3, errors: 0, pending: 0 });
    b.disconnect(late);
    expect(countersOf(late).in).toBe(3);
  });

  test('a synchronous throw is counted once, on the node it came from, and reported with its element', () => {
    const source = new Stream<number>();
    const mapped = source.map(inc);
    const boom = new RangeError('full');
    const sink = mapped.sink(() => {
      throw boom;
    });
    const failures: Array<[Stream<unknown>, PipelineError]> = [];
    const stop = observeFailures((node, failure) => failures.push([node, failure]));
    expect(() => source.emit(1)).toThrow(RangeError);
    expect(() => source.emit(2)).toThrow(RangeError);
    stop();
    expect([source, mapped, sink].map((node) => countersOf(node).errors)).toEqual([0, 0, 2]);
    expect(failures.map(([node, f]) => [node, f.node, f.element, f.error])).toEqual([
      [sink, '<sink>', 2, boom],
      [sink, '<sink>', 3, boom],
    ]);
  });

  test('a throw inside a node with several downstreams is counted on the one that threw', () => {
    const source = new Stream<number>();
    const quiet = source.sinkToList();
    const loud = source.map((x: number) => {
      if (x > 0) throw new Error('positive');
      return x;
    });
    loud.sinkToList();
    source.emit(0);
    expect(() => source.emit(1)).toThrow('positive');
    expect([source, loud].map((node) => countersOf(node).errors)).toEqual([0, 1]);
    expect(quiet).toEqual([0, 1]);
  });

  test('failures sent to errors are counted and reported', () => {
    const source = new Stream<number>();
    const reported: unknown[] = [];
    source.errors.sink((failure) => reported.push(failure.element));
    const failures: PipelineError[] = [];
    const stop = observeFailures((_node, failure) => failures.push(failure));
    source.reportError(7, new Error('late'));
    stop();
    expect(countersOf(source).errors).toBe(1);
    expect(failures[0]).toBeInstanceOf(PipelineError);
    expect(failures[0].element).toBe(7);
    expect(reported).toEqual([7]);
  });

  test('pending is what a node holds', async () => {
    const source = new Stream<number>();
    let release: () => void = () => undefined;
    const sink = source.sink(() => new Promise<void>((resolve) => (release = resolve)));
    expect(countersOf(sink).pending).toBe(0);
    const emitted = source.emit(1);
    expect(countersOf(sink).pending).toBe(1);
    release();
    await emitted;
    expect(countersOf(sink).pending).toBe(0);
  });
});
