import { ArgumentRangeError, ArgumentTypeError, PipelineError, Stream } from '../../src';
import { shellSplit } from '../../src/sources/shell-split';
import { waitFor } from '../support/wait-for';

const node = process.execPath;

describe('Stream.fromProcess', () => {
  test('process: withEnd emits a last line without a newline', async () => {
    const source = Stream.fromProcess([node, '-e', "for (let i = 0; i < 4; i++) process.stdout.write(String(i))"], { withEnd: true });
    const out = source.sinkToList();
    await source.start();
    await waitFor(() => source.state === 'finished', 5000, 'the process to finish');
    expect(out.map(String)).toEqual(['0123']);
    expect(out[0]).toBeInstanceOf(Buffer);
  });

  test('process_str: a string command is split like a shell; stdout lines as Buffers with the newline', async () => {
    const source = Stream.fromProcess(`"${node}" -e "for (let i = 0; i < 4; i++) console.log(i)"`, { start: true });
    const out = source.sinkToList();
    await waitFor(() => source.state === 'finished', 5000, 'the process to finish');
    expect(out.map(String)).toEqual(['0\n', '1\n', '2\n', '3\n']);
  });

  test('withEnd: false drops the last partial line; withStderr mixes in stderr', async () => {
    const script = "console.log('out'); console.error('err'); process.stdout.write('partial')";
    const plain = Stream.fromProcess([node, '-e', "console.log('out'); process.stdout.write('partial')"], { withEnd: false });
    const plainOut = plain.sinkToList();
    await plain.start();
    await waitFor(() => plain.state === 'finished', 5000, 'the process to finish');
    expect(plainOut.map(String)).toEqual(['out\n']);

    const mixed = Stream.fromProcess([node, '-e', script], { withStderr: true });
    const mixedOut = mixed.sinkToList();
    await mixed.start();
    await waitFor(() => mixed.state === 'finished', 5000, 'the process to finish');
    expect(mixedOut.map(String).sort()).toEqual(['err\n', 'out\n', 'partial']);
  });

  test('an async downstream receives the lines in order and drain() waits for it', async () => {
    const source = Stream.fromProcess([node, '-e', "for (let i = 0; i < 3; i++) console.log(i)"]);
    const out: string[] = [];
    source.sink(async (line: Buffer) => {
      await new Promise((resolve) => setImmediate(resolve));
      out.push(line.toString());
    });
    await source.start();
    await waitFor(() => source.state === 'finished', 5000, 'the process to finish');
    await source.drain();
    expect(out).toEqual(['0\n', '1\n', '2\n']);
  });

  test('a non-zero exit goes to errors and fails the source', async () => {
    const source = Stream.fromProcess([node, '-e', "console.log('partial work'); process.exit(3)"]);
    const failures = source.errors.sinkToList();
    const out = source.sinkToList();
    await source.start();
    await waitFor(() => source.state === 'failed', 5000, 'the process to fail');
    expect(out.map(String)).toEqual(['partial work\n']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(PipelineError);
    expect(String(failures[0].error)).toMatch(/exited with code 3/);
  });

  test('a missing command rejects start() and goes to errors', async () => {
    const source = Stream.fromProcess('no-such-command-for-rivulet --flag');
    const failures = source.errors.sinkToList();
    await expect(source.start()).rejects.toThrow(/<fromProcess: no-such-command-for-rivulet --flag> cannot run: Error: spawn no-such-command-for-rivulet ENOENT/);
    expect(source.state).toBe('failed');
    expect(failures).toHaveLength(1);
  });

  test('stop() kills a running process', async () => {
    const source = Stream.fromProcess([node, '-e', "console.log(process.pid); setInterval(() => console.log('tick'), 5)"]);
    const out = source.sinkToList();
    await source.start();
    await waitFor(() => out.length >= 2, 5000, 'the pid and a tick');
    await source.stop();
    expect(source.state).toBe('stopped');
    const seen = out.length;
    const pid = Number(out[0].toString());
    await waitFor(() => !isAlive(pid), 5000, 'the process to exit');
    expect(out.length).toBe(seen);
  });

  test('shell splitting: quotes and escapes', () => {
    expect(shellSplit(`python -c "for i in range(4): print(i)"`)).toEqual(['python', '-c', 'for i in range(4): print(i)']);
    expect(shellSplit(`echo 'a "b"' c\\ d "e \\"f\\" \\$g" ''`)).toEqual(['echo', 'a "b"', 'c d', 'e "f" $g', '']);
    expect(shellSplit('  spaced   out  ')).toEqual(['spaced', 'out']);
    expect(() => shellSplit(`echo "open`)).toThrow(ArgumentRangeError);
  });

  test('toString and bad arguments', () => {
    expect(String(Stream.fromProcess(['ls', '-l']))).toBe('<fromProcess: ls -l>');
    expect(() => Stream.fromProcess([])).toThrow(ArgumentTypeError);
    expect(() => Stream.fromProcess('')).toThrow(/command must be a command line or a non-empty array of strings/);
    expect(() => Stream.fromProcess([1] as unknown as string[])).toThrow(ArgumentTypeError);
  });
});

/** Whether a process with `pid` exists (signal 0 only checks). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
