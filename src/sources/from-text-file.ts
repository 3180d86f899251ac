import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { ArgumentTypeError } from '../errors';
import { Fifo } from '../util/fifo';
import { PollingSource, type PollingOptions } from './polling-source';
import { registerSource, startIfAsked } from './source';

export interface FromTextFileOptions extends PollingOptions {
  /** Separates the parts to emit; each part is emitted with it. Default `'\n'`. */
  delimiter?: string;
  /** Skip what the file holds when the source first starts. Default `false`. */
  fromEnd?: boolean;
}

declare module '../stream' {
  namespace Stream {
    /**
     * Follows a growing text file: every `interval` ms emits each new complete part (delimiter
     * included) and keeps the incomplete rest for later. A missing file fails `start()`.
     */
    function fromTextFile(path: string, options?: FromTextFileOptions): FromTextFile;
  }
}

const READ_SIZE = 64 * 1024;

export class FromTextFile extends PollingSource<string> {
  readonly path: string;
  private readonly delimiter: string;
  private readonly fromEnd: boolean;
  private position = 0;
  private opened = false;
  private decoder = new StringDecoder('utf8');
  private incomplete = '';
  /** Complete parts read but not delivered yet (the source stopped in between). */
  private readonly parts = new Fifo<string>();
  private readonly readBuffer = Buffer.alloc(READ_SIZE);

  constructor(path: string, options: FromTextFileOptions = {}) {
    super(options);
    if (typeof path !== 'string' || path === '') throw new ArgumentTypeError('path', 'a non-empty string', path);
    const delimiter = options.delimiter ?? '\n';
    if (typeof delimiter !== 'string' || delimiter === '') throw new ArgumentTypeError('delimiter', 'a non-empty string', delimiter);
    this.path = path;
    this.delimiter = delimiter;
    this.fromEnd = options.fromEnd ?? false;
  }

  override get kind(): string {
    return 'fromTextFile';
  }

  protected override describe(): string | undefined {
    return this.path;
  }

  protected override async open(): Promise<void> {
    const { size } = await stat(this.path);
    if (!this.opened && this.fromEnd) this.position = size;
    this.opened = true;
    return super.open();
  }

  protected override async poll(): Promise<void> {
    await this.deliverParts();
    if (this.isRunning && (await this.readNewText())) await this.deliverParts();
  }

  private async deliverParts(): Promise<void> {
    while (this.parts.length > 0 && this.isRunning) {
      const accepted = this.deliver(this.parts.shift());
      if (accepted !== undefined) await accepted;
    }
  }

  /** Reads what was appended since the last poll into `parts`; false when nothing was. */
  private async readNewText(): Promise<boolean> {
    const { size } = await stat(this.path);
    if (size < this.position) this.restartFromTop();
    if (size === this.position) return false;
    const file = await open(this.path, 'r');
    try {
      for (;;) {
        const { bytesRead } = await file.read(this.readBuffer, 0, READ_SIZE, this.position);
        if (bytesRead === 0) break;
        this.position += bytesRead;
        this.splitText(this.decoder.write(this.readBuffer.subarray(0, bytesRead)));
      }
    } finally {
      await file.close();
    }
    return true;
  }

  /** The file shrank: it was truncated or replaced, so follow it from its start. */
  private restartFromTop(): void {
    this.position = 0;
    this.incomplete = '';
    this.decoder = new StringDecoder('utf8');
  }

  private splitText(text: string): void {
    const pieces = (this.incomplete + text).split(this.delimiter);
    this.incomplete = pieces.pop() as string;
    for (const piece of pieces) this.parts.push(piece + this.delimiter);
  }
}

export function fromTextFile(path: string, options?: FromTextFileOptions): FromTextFile {
  return startIfAsked(new FromTextFile(path, options), options);
}

registerSource('fromTextFile', fromTextFile);
