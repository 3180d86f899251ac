import { statSync } from 'node:fs';
import { ArgumentTypeError } from '../errors';
import { glob, hasWildcard } from './glob';
import { PollingSource, type PollingOptions } from './polling-source';
import { registerSource, startIfAsked } from './source';

declare module '../stream' {
  namespace Stream {
    /**
     * Emits each new path matching `globOrDir` (a directory means every entry in it), sorted per
     * poll, never the same path twice.
     */
    function filenames(globOrDir: string, options?: PollingOptions): Filenames;
  }
}

export class Filenames extends PollingSource<string> {
  readonly pattern: string;
  private readonly seen = new Set<string>();

  constructor(globOrDir: string, options?: PollingOptions) {
    super(options);
    if (typeof globOrDir !== 'string' || globOrDir === '') throw new ArgumentTypeError('globOrDir', 'a non-empty string', globOrDir);
    this.pattern = !hasWildcard(globOrDir) && isDirectory(globOrDir) ? `${globOrDir.replace(/\/+$/, '')}/*` : globOrDir;
  }

  override get kind(): string {
    return 'filenames';
  }

  protected override describe(): string | undefined {
    return this.pattern;
  }

  protected override async poll(): Promise<void> {
    for (const path of await glob(this.pattern)) {
      if (!this.isRunning) return;
      if (this.seen.has(path)) continue;
      this.seen.add(path);
      await this.deliver(path);
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function filenames(globOrDir: string, options?: PollingOptions): Filenames {
  return startIfAsked(new Filenames(globOrDir, options), options);
}

registerSource('filenames', filenames);
