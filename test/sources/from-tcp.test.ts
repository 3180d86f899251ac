import { ArgumentRangeError, Stream } from '../../src';
import { tcpConnect, tcpSend } from '../support/tcp-client';
import { waitFor } from '../support/wait-for';

describe('Stream.fromTcp', () => {
  test('tcp: emits each delimited part of each connection; stop() closes the server', async () => {
    const source = Stream.fromTcp(0);
    const out = source.sinkToList();
    await source.start();
    expect(source.port).toBeGreaterThan(0);
    expect(source.state).toBe('running');
    await tcpSend(source.port, 'data\n');
    await tcpSend(source.port, 'data\n');
    const third = await tcpConnect(source.port);
    third.write('data2\n');
    await waitFor(() => out.length === 3, 2000, 'three parts');
    expect(out.map(String)).toEqual(['data\n', 'data\n', 'data2\n']);
    expect(out[0]).toBeInstanceOf(Buffer);
    const port = source.port;
    await source.stop();
    expect(source.state).toBe('stopped');
    await expect(tcpConnect(port)).rejects.toThrow(/ECONNREFUSED/);
    third.destroy();
  });

  test('tcp_word_count_example: a second packet on the same socket is not lost', async () => {
    const source = Stream.fromTcp(0, { start: true });
    const counts = source
      .map((bytes) => bytes.toString().split(/\s+/).filter(Boolean))
      .flatten()
      .frequencies()
      .sinkToList();
    await source.start();
    await tcpSend(source.port, 'data\n');
    await waitFor(() => counts.length === 1, 2000, 'the first word');
    const socket = await tcpConnect(source.port);
    socket.write('data\n');
    await waitFor(() => counts.length === 2, 2000, 'the second word');
    socket.write('data\n');
    await tcpSend(source.port, 'data2\n');
    await waitFor(() => counts.length === 4, 2000, 'four words');
    expect(counts).toEqual([{ data: 1 }, { data: 2 }, { data: 3 }, { data: 3, data2: 1 }]);
    socket.destroy();
    await source.stop();
  });

  test('a custom delimiter splits parts across packets and waits for downstream per connection', async () => {
    const source = Stream.fromTcp(0, { delimiter: '|' });
    const out: string[] = [];
    let release: () => void = () => undefined;
    source.sink((part: Buffer) => {
      out.push(part.toString());
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await source.start();
    const socket = await tcpConnect(source.port);
    socket.write('a|b');
    socket.write('|c|');
    await waitFor(() => out.length === 1, 2000, 'the first part');
    await new Promise((resolve) => setImmediate(resolve));
    expect(out).toEqual(['a|']);
    for (const expected of [2, 3]) {
      release();
      await waitFor(() => out.length === expected, 2000, `part ${expected}`);
    }
    release();
    await source.drain();
    expect(out).toEqual(['a|', 'b|', 'c|']);
    socket.destroy();
    await source.stop();
  });

  test('a port in use rejects start() with the port in the message', async () => {
    const first = Stream.fromTcp(0);
    await first.start();
    const second = Stream.fromTcp(first.port);
    const failures = second.errors.sinkToList();
    await expect(second.start()).rejects.toThrow(`port ${first.port} on 127.0.0.1 is already in use`);
    expect(second.state).toBe('failed');
    expect(failures).toHaveLength(1);
    await first.stop();
  });

  test('toString and bad arguments', () => {
    expect(String(Stream.fromTcp(9876))).toBe('<fromTcp: 9876>');
    expect(() => Stream.fromTcp(70000)).toThrow(ArgumentRangeError);
    expect(() => Stream.fromTcp(-1)).toThrow(/port must be an integer >= 0/);
    expect(() => Stream.fromTcp(1, { delimiter: '' })).toThrow(/delimiter must be a non-empty string or Buffer/);
  });
});
