import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { ignore } from '../util/promise';
import { ArgumentTypeError, describeError } from '../errors';
import { DelimitedSplitter } from './delimited';
import { shellSplit } from './shell-split';
import { registerSource, Source, startIfAsked, type SourceOptions } from './source';

export interface FromProcessOptions extends SourceOptions {
  /** Emit the process's stderr lines too, mixed with stdout like `2>&1`. Default `false`. */
  withStderr?: boolean;
  /** Emit a last line that has no newline when the output ends. Default `true`. */
  withEnd?: boolean;
}

declare module '../stream' {
  namespace Stream {
    /**
     * Runs `command` (an argument array, or a string split like a shell does) on `start()` and
     * emits its stdout lines as Buffers, newline included, reading on only after downstream
     * accepted a line. Finishes when the process exits with 0; another exit code goes to `errors`.
     */
    function fromProcess(command: string | readonly string[], options?: FromProcessOptions): FromProcess;
  }
}

const NEWLINE = Buffer.from('\n');

export class FromProcess extends Source<Buffer> {
  readonly command: readonly string[];
  private readonly withStderr: boolean;
  private readonly withEnd: boolean;
  private child: ChildProcess | undefined = undefined;

  constructor(command: string | readonly string[], options: FromProcessOptions = {}) {
    super(options);
    this.command = toArgv(command);
    this.withStderr = options.withStderr ?? false;
    this.withEnd = options.withEnd ?? true;
  }

  override get kind(): string {
    return 'fromProcess';
  }

  protected override describe(): string | undefined {
    return this.command.join(' ');
  }

  protected override async open(): Promise<void> {
    const [file, ...args] = this.command;
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', this.withStderr ? 'pipe' : 'inherit'] });
    this.child = child;
    const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    exited.catch(ignore);
    try {
      await once(child, 'spawn');
    } catch (error) {
      throw new Error(`${this} cannot run: ${describeError(error)}`, { cause: error });
    }
    void this.run(child, exited);
  }

  protected override close(): void {
    const child = this.child;
    this.child = undefined;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill();
  }

  /** The process's output lines; with `withStderr`, stdout and stderr lines interleaved whole. */
  private output(child: ChildProcess): Readable {
    const stdout = Readable.from(lines(child.stdout as Readable, this.withEnd));
    if (!this.withStderr) return stdout;
    const merged = new PassThrough({ objectMode: true, highWaterMark: 1 });
    let open = 2;
    for (const output of [stdout, Readable.from(lines(child.stderr as Readable, this.withEnd))]) {
      output.pipe(merged, { end: false });
      output.once('end', () => {
        if (--open === 0) merged.end();
      });
    }
    return merged;
  }

  private async run(child: ChildProcess, exited: Promise<[number | null, NodeJS.Signals | null]>): Promise<void> {
    const current = (): boolean => this.child === child && this.isRunning;
    try {
      for await (const line of this.output(child)) {
        if (!current()) return;
        const accepted = this.deliver(line as Buffer);
        if (accepted !== undefined) await accepted;
      }
      const [code, signal] = await exited;
      if (!current()) return;
      if (code === 0) this.finish();
      else this.fail(new Error(`${this} exited with ${code === null ? `signal ${signal}` : `code ${code}`}`));
    } catch (error) {
      if (current()) this.fail(error);
    }
  }
}

/** The newline-terminated lines of `output`, and with `withEnd` a last line without one. */
async function* lines(output: Readable, withEnd: boolean): AsyncGenerator<Buffer> {
  const splitter = new DelimitedSplitter(NEWLINE);
  for await (const chunk of output) yield* splitter.push(chunk as Buffer);
  const rest = splitter.takeRest();
  if (withEnd && rest !== undefined) yield rest;
}

function toArgv(command: string | readonly string[]): readonly string[] {
  const argv = typeof command === 'string' ? shellSplit(command) : command;
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((word) => typeof word === 'string')) {
    throw new ArgumentTypeError('command', 'a command line or a non-empty array of strings', command);
  }
  return [...argv];
}

export function fromProcess(command: string | readonly string[], options?: FromProcessOptions): FromProcess {
  return startIfAsked(new FromProcess(command, options), options);
}

registerSource('fromProcess', fromProcess);
