/**
 * What a worker thread needs to load its task modules: their resolved file names, and a
 * TypeScript loader when the thread must load TypeScript. A parent running under ts-node (or
 * jest) has its loader in require hooks that threads do not inherit, unlike `node -r` flags.
 */
import * as path from 'node:path';
import { ArgumentRangeError, ArgumentTypeError } from '../../errors';

const TS_NODE_LOADER = 'ts-node/register/transpile-only';
const TYPESCRIPT_FILE = /\.[cm]?tsx?$/;
/** The ts-node a parent process runs under, found among its loaded modules. */
const RUNNING_TS_NODE = /[\\/]ts-node[\\/]dist[\\/]index\.js$/;
/** Node options that load a module first (threads inherit them), and TypeScript loaders among such modules. */
const PRELOAD_FLAGS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader']);
const TYPESCRIPT_LOADER = /ts-node|tsx|@swc-node|esbuild-register/;

/** The absolute file names of the task modules (relative paths from the current directory). */
export function resolveTaskModules(tasks: string | string[] | undefined): string[] {
  const modules = tasks === undefined ? [] : typeof tasks === 'string' ? [tasks] : tasks;
  if (!Array.isArray(modules) || modules.some((module) => typeof module !== 'string')) {
    throw new ArgumentTypeError('tasks', 'a module path or an array of them', tasks);
  }
  return modules.map(resolveTaskModule);
}

function resolveTaskModule(module: string): string {
  const absolute = path.resolve(module);
  try {
    return require.resolve(absolute);
  } catch {
    throw new ArgumentRangeError('tasks', 'modules that exist', module, `tasks: cannot find module '${module}' (looked for ${absolute})`);
  }
}

/**
 * The Node options of a thread running `entry` and loading `modules`: inherited (`undefined`)
 * unless it must load TypeScript and nothing it inherits can; then ts-node, transpile only.
 */
export function threadExecArgv(entry: string, modules: readonly string[]): string[] | undefined {
  const typescript = [entry, ...modules].filter((file) => TYPESCRIPT_FILE.test(file));
  if (typescript.length === 0 || inheritsTypeScript()) return undefined;
  return ['-r', typeScriptLoader(typescript)];
}

/** Whether threads can load TypeScript with what they inherit: Node's own type stripping, or a preloaded loader. */
function inheritsTypeScript(): boolean {
  const features = process.features as { typescript?: unknown };
  if (Boolean(features.typescript)) return true;
  const argv = process.execArgv;
  return argv.some((arg, i) => {
    const [flag, inline] = arg.split('=', 2);
    const module = inline ?? (PRELOAD_FLAGS.has(flag) ? argv[i + 1] : undefined);
    return PRELOAD_FLAGS.has(flag) && module !== undefined && TYPESCRIPT_LOADER.test(module);
  });
}

/** The ts-node this process runs under, else one installed next to the modules, here or where rivulet is. */
function typeScriptLoader(files: readonly string[]): string {
  const running = Object.keys(require.cache).find((file) => RUNNING_TS_NODE.test(file));
  if (running !== undefined) return path.join(path.dirname(running), '..', 'register', 'transpile-only.js');
  try {
    return require.resolve(TS_NODE_LOADER, { paths: [...files.map((file) => path.dirname(file)), process.cwd(), __dirname] });
  } catch {
    const module = files[files.length - 1];
    throw new ArgumentRangeError('tasks', 'JavaScript, or TypeScript with ts-node installed', module, `tasks: worker threads need ts-node to load ${module} (npm install --save-dev ts-node), or give the compiled .js`);
  }
}
