/**
 * Loads a `--tasks` module for `rivulet worker` with errors of one line: a missing file, and a
 * TypeScript module that this Node.js cannot load, are named as such. A TypeScript module loads
 * when a loader is registered (`node -r ts-node/register …`) or Node.js strips types itself
 * (22.18 and later); otherwise the error says to compile it first. Loading it here, before the
 * worker starts, lets the worker's own `require` of the same path find it in the module cache.
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';

export class TaskModuleError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TaskModuleError';
  }
}

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

export function loadTaskModule(module: string): void {
  const path = resolve(module);
  if (!existsSync(path)) throw new TaskModuleError(`task module not found: ${module} (no file ${path})`);
  try {
    require(path);
  } catch (error) {
    throw new TaskModuleError(loadFailure(module, error), { cause: error });
  }
}

function loadFailure(module: string, error: unknown): string {
  const cause = firstLine(error);
  if (!TYPESCRIPT.has(extname(module))) return `task module ${module} failed to load: ${cause}`;
  return (
    `task module ${module} is TypeScript and this Node.js could not load it (${cause}): ` +
    'compile it to JavaScript first (npx tsc) and pass the .js file, or start the worker under ts-node ' +
    '(node -r ts-node/register ./node_modules/.bin/rivulet worker …)'
  );
}

/** Node's require errors append a "Require stack" of the loader's own files. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return message.split('\n')[0];
}
