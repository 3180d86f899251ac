/**
 * The task registry. Thread and NATS workers run only functions registered here, looked up by
 * name: nothing that arrives on the wire is ever evaluated as code.
 */
import { createHash } from 'node:crypto';
import { ArgumentTypeError } from '../errors';
import { requireFunction } from '../validate';

type AnyFunction = (...args: never[]) => unknown;

const byName = new Map<string, AnyFunction>();
const names = new WeakMap<AnyFunction, string>();

const TASK_NAME = /^[A-Za-z0-9_$.:-]+$/;

/** Registers `fn` under `name` and returns `fn`, so `export const inc = task('inc', (x) => x + 1)` works. */
export function task<F extends AnyFunction>(name: string, fn: F): F {
  if (typeof name !== 'string' || !TASK_NAME.test(name)) throw new ArgumentTypeError('name', 'a task name of letters, digits and _$.:-', name);
  requireFunction('fn', fn);
  const existing = byName.get(name);
  if (existing !== undefined && existing !== fn) throw new Error(`a different function is already registered as task '${name}'`);
  byName.set(name, fn);
  names.set(fn, name);
  return fn;
}

export function taskNamed(name: string): AnyFunction | undefined {
  return byName.get(name);
}

export function nameOfTask(fn: AnyFunction): string | undefined {
  return names.get(fn);
}

/** The build-time error for an unregistered function used with thread or NATS workers. */
export class UnregisteredTaskError extends Error {
  override readonly name = 'UnregisteredTaskError';
  constructor(operator: string, fn: AnyFunction) {
    const label = fn.name || 'myTask';
    super(
      `${operator}(${fn.name || '(anonymous function)'}): thread and NATS workers run only registered tasks. ` +
        `Register it in a module that both this process and the workers load, e.g.\n` +
        `  export const ${label} = task('${label}', ${fn.name ? fn.name : '(x) => ...'});\n` +
        `and start workers with \`rivulet worker --tasks ./path/to/that/module.js\` (or Client({ workers, tasks })).`,
    );
  }
}

const versions = new WeakMap<AnyFunction, string>();

/** A short hash of the function's source: two workers with the same version run the same code. */
export function versionOf(fn: AnyFunction): string {
  let version = versions.get(fn);
  if (version === undefined) {
    version = createHash('sha256').update(fn.toString()).digest('hex').slice(0, 12);
    versions.set(fn, version);
  }
  return version;
}

/** Every registered task: name -> version hash (what a worker announces it can run). */
export function registeredTasks(): Record<string, string> {
  const tasks: Record<string, string> = {};
  for (const [name, fn] of byName) tasks[name] = versionOf(fn);
  return tasks;
}
