import { ArgumentTypeError, Stream } from '../../src';
import { waitFor } from '../support/wait-for';

async function post(port: number, path: string, body: string, method = 'POST'): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, body: method === 'GET' ? undefined : body });
  return { status: response.status, text: await response.text() };
}

describe('Stream.fromHttpServer', () => {
  test('http: emits the body of each POST and answers 200; stop() closes the server', async () => {
    const source = Stream.fromHttpServer(0);
    const out = source.sinkToList();
    await source.start();
    expect(await post(source.port, '/', 'data')).toEqual({ status: 200, text: 'OK' });
    expect(out.map(String)).toEqual(['data']);
    expect(out[0]).toBeInstanceOf(Buffer);
    expect((await post(source.port, '/other', 'data2')).status).toBe(200);
    expect(out.map(String)).toEqual(['data', 'data2']);
    const port = source.port;
    await source.stop();
    await expect(post(port, '/', 'data3')).rejects.toThrow();
    expect(source.state).toBe('stopped');
  });

  test('destroy() stops the server', async () => {
    const source = Stream.fromHttpServer(0, { start: true });
    await source.start();
    const port = source.port;
    source.destroy();
    await waitFor(() => source.state === 'stopped', 2000, 'the stop');
    await expect(post(port, '/', 'x')).rejects.toThrow();
  });

  test('answers only after downstream accepted the body', async () => {
    const source = Stream.fromHttpServer(0, { start: true });
    const received: string[] = [];
    let accept: () => void = () => undefined;
    source.sink((body: Buffer) => {
      received.push(body.toString());
      return new Promise<void>((resolve) => {
        accept = resolve;
      });
    });
    await source.start();
    let answered = false;
    const response = post(source.port, '/', 'slow').finally(() => {
      answered = true;
    });
    await waitFor(() => received.length === 1, 2000, 'the body downstream');
    // a full round trip on another connection: an early answer to the first POST would have arrived meanwhile
    expect((await post(source.port, '/', 'x', 'GET')).status).toBe(405);
    expect(answered).toBe(false);
    accept();
    expect(await response).toEqual({ status: 200, text: 'OK' });
    await source.stop();
  });

  test('concurrent POSTs reach downstream one at a time', async () => {
    const source = Stream.fromHttpServer(0);
    const received: string[] = [];
    const gates: Array<() => void> = [];
    source.sink((body: Buffer) => {
      received.push(body.toString());
      return new Promise<void>((resolve) => gates.push(resolve));
    });
    await source.start();
    const responses = [post(source.port, '/', 'a'), post(source.port, '/', 'b')];
    await waitFor(() => received.length === 1, 2000, 'the first body');
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toHaveLength(1);
    gates.shift()?.();
    await waitFor(() => received.length === 2, 2000, 'the second body');
    gates.shift()?.();
    expect((await Promise.all(responses)).map((response) => response.status)).toEqual([200, 200]);
    expect(received.sort()).toEqual(['a', 'b']);
    await source.stop();
  });

  test('answers 500 with the error when the pipeline threw, and keeps serving', async () => {
    const source = Stream.fromHttpServer(0);
    const out = source
      .map((body) => {
        const value = JSON.parse(body.toString()) as number;
        if (value < 0) throw new RangeError('negative');
        return value;
      })
      .sinkToList();
    await source.start();
    expect(await post(source.port, '/', '-1')).toEqual({ status: 500, text: 'RangeError: negative' });
    expect(await post(source.port, '/', '2')).toEqual({ status: 200, text: 'OK' });
    expect(out).toEqual([2]);
    await source.stop();
  });

  test('404 off the path, 405 for other methods', async () => {
    const source = Stream.fromHttpServer(0, { path: /\/data\/\w+/ });
    const out = source.sinkToList();
    await source.start();
    expect((await post(source.port, '/data/a', 'x')).status).toBe(200);
    expect((await post(source.port, '/data', 'x')).status).toBe(404);
    expect((await post(source.port, '/other/data/a', 'x')).status).toBe(404);
    expect((await post(source.port, '/data/a', '', 'GET')).status).toBe(405);
    expect(out.map(String)).toEqual(['x']);
    await source.stop();
    const exact = Stream.fromHttpServer(0, { path: '/ingest', start: true });
    await exact.start();
    expect((await post(exact.port, '/ingest', 'y')).status).toBe(200);
    expect((await post(exact.port, '/ingest/more', 'y')).status).toBe(404);
    await exact.stop();
  });

  test('a port in use rejects start() with the port in the message', async () => {
    const first = Stream.fromHttpServer(0);
    await first.start();
    const second = Stream.fromHttpServer(first.port);
    second.errors.sinkToList();
    await expect(second.start()).rejects.toThrow(`<fromHttpServer: ${first.port}>: port ${first.port} on 127.0.0.1 is already in use`);
    await first.stop();
  });

  test('toString and bad arguments', () => {
    expect(String(Stream.fromHttpServer(9875))).toBe('<fromHttpServer: 9875>');
    expect(() => Stream.fromHttpServer(1.5)).toThrow(/port must be an integer/);
    expect(() => Stream.fromHttpServer(1, { path: 3 as unknown as string })).toThrow(ArgumentTypeError);
  });
});
