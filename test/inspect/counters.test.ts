import { PipelineError, Stream } from '../../src';
import { attachCounters, isCounted, pendingOf } from '../../src/inspect/counters';

function inc(x: number): number {
  return x + 1;
}

describe('per-node counters', () => {
  test('count in, out and errors only while attached, and leave no own property behind', () => {
    const source = new Stream<number>();
    const mapped = source.map(inc);
    const out = mapped.filter((x) => x % 2 === 0).sinkToList();
    const { counters, detach } = attachCounters(mapped);
    expect(Object.hasOwn(mapped, 'update')).toBe(true);
    for (let i = 0; i < 4; i++) source.emit(i);
    expect(counters).toEqual({ in: 4, out: 4, errors: 0 });
    detach();
    expect(isCounted(mapped)).toBe(false);
    expect(['update', 'emit', 'reportError'].filter((name) => Object.hasOwn(mapped, name))).toEqual([]);
    source.emit(4);
    expect(counters.in).toBe(4);
    expect(out).toEqual([2, 4]);
  });

  test('observers share one attachment; the wrappers go when the last one detaches', () => {
    const source = new Stream<number>();
    source.sinkToList();
    const first = attachCounters(source);
    const second = attachCounters(source);
    expect(second.counters).toBe(first.counters);
    first.detach();
    first.detach();
    expect(isCounted(source)).toBe(true);
    second.detach();
    expect(isCounted(source)).toBe(false);
  });

  test('a synchronous throw is counted once, on the node it came from', () => {
    const source = new Stream<number>();
    const mapped = source.map(inc);
    const sink = mapped.sink(() => {
      throw new RangeError('full');
    });
    const onMap = attachCounters(mapped);
    const failures: PipelineError[] = [];
    const onSink = attachCounters(sink, (failure) => failures.push(failure));
    expect(() => source.emit(1)).toThrow(RangeError);
    expect(() => source.emit(2)).toThrow(RangeError);
    expect(onMap.counters.errors).toBe(0);
    expect(onSink.counters.errors).toBe(2);
    expect(failures.map((f) => [f.node, f.element, (f.error as Error).message])).toEqual([
      ['<sink>', 2, 'full'],
      ['<sink>', 3, 'full'],
    ]);
    onMap.detach();
    onSink.detach();
  });

  test('failures sent to errors are counted and passed to the listener', () => {
    const source = new Stream<number>();
    const reported: unknown[] = [];
    source.errors.sink((failure) => reported.push(failure.element));
    const failures: PipelineError[] = [];
    const { counters, detach } = attachCounters(source, (failure) => failures.push(failure));
    source.reportError(7, new Error('late'));
    expect(counters.errors).toBe(1);
    expect(failures[0]).toBeInstanceOf(PipelineError);
    expect(failures[0].element).toBe(7);
    expect(reported).toEqual([7]);
    detach();
  });

  test('pendingOf is what a node holds', async () => {
    const source = new Stream<number>();
    let release: () => void = () => undefined;
    const sink = source.sink(() => new Promise<void>((resolve) => (release = resolve)));
    expect(pendingOf(sink)).toBe(0);
    const emitted = source.emit(1);
    expect(pendingOf(sink)).toBe(1);
    release();
    await emitted;
    expect(pendingOf(sink)).toBe(0);
  });
});
