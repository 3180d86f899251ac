import { createServer, type AddressInfo } from 'node:net';
import { ArgumentTypeError, PipelineError, Stream } from '../src';

function inc(x: number): number {
  return x + 1;
}

describe('Stream', () => {
  test('map(inc).sink collects, and emit returns undefined on a synchronous path', () => {
    const source = new Stream<number>();
    const out = source.map(inc).sinkToList();
    for (let i = 0; i < 3; i++) expect(source.emit(i)).toBeUndefined();
    expect(out).toEqual([1, 2, 3]);
  });

  test('emits to downstreams in the order they were attached', () => {
    const source = new Stream<number>();
    const order: string[] = [];
    source.sink((x) => order.push(`a${x}`));
    source.sink((x) => order.push(`b${x}`));
    source.emit(1);
    source.emit(2);
    expect(order).toEqual(['a1', 'b1', 'a2', 'b2']);
  });

  test('a synchronous error in a downstream function is thrown from emit, and later elements still flow', () => {
    const source = new Stream<number>();
    const out = source.map((x) => 1 / (x === 0 ? Number.NaN : x)).filter(Number.isFinite).sinkToList();
    const failing = new Stream<number>();
    const kept = failing.map((x) => {
      if (x === 0) throw new RangeError('zero');
      return x;
    }).sinkToList();
    expect(() => failing.emit(0)).toThrow(RangeError);
    failing.emit(1);
    expect(kept).toEqual([1]);
    source.emit(2);
    expect(out).toEqual([0.5]);
  });

  test('an async sink makes emit return a promise that resolves after the sink finished', async () => {
    const source = new Stream<number>();
    const seen: number[] = [];
    source.sink(async (x) => {
      await Promise.resolve();
      seen.push(x);
    });
    const pending = source.emit(1);
    expect(pending).toBeInstanceOf(Promise);
    expect(seen).toEqual([]);
    await pending;
    expect(seen).toEqual([1]);
  });

  test('an async rejection rejects the promise returned by emit', async () => {
    const source = new Stream<number>();
    source.sink(async () => {
      throw new Error('nope');
    });
    await expect(source.emit(1)).rejects.toThrow('nope');
  });

  test('async map emits resolved values in input order', async () => {
    const source = new Stream<number>();
    const resolvers: Array<() => void> = [];
    const out = source
      .map((x) => new Promise<number>((resolve) => resolvers.push(() => resolve(x * 10))))
      .sinkToList();
    const first = source.emit(1);
    const second = source.emit(2);
    resolvers[1]();
    await Promise.resolve();
    expect(out).toEqual([]);
    resolvers[0]();
    await Promise.all([first, second]);
    expect(out).toEqual([10, 20]);
  });

  test('drain waits for elements still held downstream', async () => {
    const source = new Stream<number>();
    const done: number[] = [];
    let release: () => void = () => undefined;
    source.sink((x) => new Promise<void>((resolve) => {
      release = () => {
        done.push(x);
        resolve();
      };
    }));
    void source.emit(7);
    let drained = false;
    const draining = source.drain().then(() => {
      drained = true;
    });
    await Promise.resolve();
    expect(drained).toBe(false);
    release();
    await draining;
    expect(done).toEqual([7]);
  });

  test('a downstream that disconnects itself mid-emit does not make the next downstream miss the element', () => {
    const source = new Stream<number>();
    const once: Stream<never> = source.sink((): void => once.destroy());
    const after = source.sinkToList();
    source.emit(1);
    source.emit(2);
    expect(after).toEqual([1, 2]);
    expect(source.downstreams).toHaveLength(1);
  });

  test('connect, disconnect, destroy and upstream', () => {
    const a = new Stream<number>();
    const b = new Stream<number>();
    const out = b.sinkToList();
    a.connect(b);
    expect(b.upstream).toBe(a);
    a.emit(1);
    a.disconnect(b);
    a.emit(2);
    a.connect(b);
    a.emit(3);
    b.destroy();
    a.emit(4);
    expect(out).toEqual([1, 3]);
    expect(b.upstreams).toEqual([]);
    const c = new Stream<number>();
    c.connect(b);
    a.connect(b);
    expect(() => b.upstream).toThrow('multiple upstreams');
    expect(new Stream().upstream).toBeUndefined();
  });

  test('toString follows streamz', () => {
    function add(x: number, y: number): number {
      return x + y;
    }
    const source = new Stream<number>({ name: 'numbers' });
    expect(String(new Stream())).toBe('<Stream>');
    expect(String(source)).toBe('<numbers; Stream>');
    expect(String(source.map(add, 10))).toBe('<map: add>');
    expect(String(source.sink(console.log))).toBe('<sink: log>');
  });

  test('visualize renders the graph as mermaid and dot', () => {
    const source = new Stream<number>({ name: 'numbers' });
    source.map(inc).sinkToList();
    source.filter(Boolean).sinkToList();
    const mermaid = source.visualize();
    expect(mermaid.split('\n')[0]).toBe('flowchart TD');
    expect(mermaid).toContain('#lt;map: inc#gt;');
    expect(mermaid).toMatch(/-->\|1\|/);
    const dot = source.visualize({ format: 'dot' });
    expect(dot).toContain('label="<numbers; Stream>"');
    expect(dot.match(/->/g)).toHaveLength(4);
  });

  test('for await consumes with back pressure', async () => {
    const source = new Stream<number>();
    const received: number[] = [];
    const consuming = (async () => {
      for await (const x of source) {
        received.push(x);
        if (received.length === 3) break;
      }
    })();
    await source.emit(1);
    await source.emit(2);
    await source.emit(3);
    await consuming;
    expect(received).toEqual([1, 2, 3]);
    expect(source.downstreams).toHaveLength(0);
  });

  test('errors reach subscribers of any node in the graph and carry node and element', () => {
    const source = new Stream<number>();
    const tail = source.map(inc);
    const failures: PipelineError[] = [];
    source.errors.sink((failure) => failures.push(failure));
    tail.reportError(5, new Error('late'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(PipelineError);
    expect(failures[0].node).toBe('<map: inc>');
    expect(failures[0].element).toBe(5);
    expect(failures[0].message).toContain('late');
  });

  test('registerApi adds an operator and refuses an existing name', () => {
    Stream.registerApi('double', (stream) => (stream as Stream<number>).map((x) => x * 2));
    const source = new Stream<number>();
    const doubled = (source as unknown as { double(): Stream<number> }).double().sinkToList();
    source.emit(4);
    expect(doubled).toEqual([8]);
    expect(() => Stream.registerApi('map', (stream) => stream)).toThrow("already has a method named 'map'");
  });

  test('bad arguments name the argument', () => {
    const source = new Stream<number>();
    expect(() => source.map(3 as unknown as () => number)).toThrow(ArgumentTypeError);
    expect(() => source.map(3 as unknown as () => number)).toThrow('fn must be a function');
    expect(() => source.connect({} as Stream<unknown>)).toThrow('downstream must be a Stream');
  });

  test('lifecycle: idle until elements flow, paused while holding, running after', async () => {
    const source = new Stream<number>();
    let release: () => void = () => undefined;
    const sink = source.sink(() => new Promise<void>((resolve) => (release = resolve)));
    expect(source.state).toBe('idle');
    const pending = source.emit(1);
    expect(source.state).toBe('running');
    expect(sink.state).toBe('paused');
    release();
    await pending;
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.state).toBe('running');
    sink.destroy();
    expect(sink.state).toBe('stopped');
  });

  test('start() on a downstream node rejects when a source upstream cannot start', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const tail = Stream.fromTcp(port).map((b: Buffer) => b.toString());
      await expect(tail.start()).rejects.toThrow(String(port));
      expect(new Stream().start()).toBeUndefined();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test('the failure of a rejected start() is not printed as well', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const errorLog = jest.spyOn(console, 'error');
    try {
      await expect(Stream.fromTcp(port).start()).rejects.toThrow(String(port));
      await expect(Stream.fromHttpServer(port).map(String).start()).rejects.toThrow(String(port));
      expect(errorLog).not.toHaveBeenCalled();
    } finally {
      errorLog.mockRestore();
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test('destroy() takes a node out of the pipeline: what it emits afterwards reaches nobody', () => {
    const source = new Stream<number>();
    const middle = source.map(inc);
    const out: number[] = [];
    const sink = middle.sink((x: number) => out.push(x));
    source.emit(1);
    middle.destroy();
    middle.emit(10);
    source.emit(2);
    expect(out).toEqual([2]);
    expect(middle.upstreams).toEqual([]);
    expect(middle.downstreams).toEqual([]);
    expect(source.downstreams).not.toContain(middle);
    expect(sink.upstreams).toEqual([]);
  });

  test('emit on a destroyed source reaches none of its former downstreams', () => {
    const source = new Stream<number>();
    const out = source.map(inc).sinkToList();
    source.emit(1);
    source.destroy();
    expect(source.emit(2)).toBeUndefined();
    expect(out).toEqual([2]);
    expect(source.state).toBe('stopped');
  });
});
