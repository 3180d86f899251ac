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
 * Node's own type stripping (22.18+, 24) is used only by a parent that runs on it itself, or when
 * no ts-node is installed: it loads a `.ts` file with `import` as an ES module, where the
 * extensionless imports that ts-node and jest users write do not resolve.
 */
export function threadExecArgv(entry: string, modules: readonly string[]): string[] | undefined {
  const typescript = [entry, ...modules].filter((file) => TYPESCRIPT_FILE.test(file));
  if (typescript.length === 0 || preloadsTypeScript() || runsOnTypeStripping()) return undefined;
  const loader = typeScriptLoader(typescript);
  if (loader !== undefined) return ['-r', loader];
  if (stripsTypes()) return undefined;
  const module = typescript[typescript.length - 1];
  throw new ArgumentRangeError('tasks', 'JavaScript, or TypeScript with ts-node installed', module, `tasks: worker threads need ts-node to load ${module} (npm install --save-dev ts-node), or give the compiled .js`);
}

/** Whether a TypeScript loader is preloaded by a Node option, which threads inherit. */
function preloadsTypeScript(): boolean {
  const argv = process.execArgv;
  return argv.some((arg, i) => {
    const [flag, inline] = arg.split('=', 2);
    const module = inline ?? (PRELOAD_FLAGS.has(flag) ? argv[i + 1] : undefined);
    return PRELOAD_FLAGS.has(flag) && module !== undefined && TYPESCRIPT_LOADER.test(module);
  });
}

function stripsTypes(): boolean {
  return Boolean((process.features as { typescript?: unknown }).typescript);
}

/** `node main.ts` on a Node that strips types: the threads load TypeScript the way the parent does. */
function runsOnTypeStripping(): boolean {
  return stripsTypes() && TYPESCRIPT_FILE.test(process.argv[1] ?? '') && runningTsNode() === undefined;
}

function runningTsNode(): string | undefined {
  return Object.keys(require.cache).find((file) => RUNNING_TS_NODE.test(file));
}

/** The ts-node this process runs under, else one installed next to the modules, here or where rivulet is. */
function typeScriptLoader(files: readonly string[]): string | undefined {
  const running = runningTsNode();
  if (running !== undefined) return path.join(path.dirname(running), '..', 'register', 'transpile-only.js');
  try {
    return require.resolve(TS_NODE_LOADER, { paths: [...files.map((file) => path.dirname(file)), process.cwd(), __dirname] });
  } catch {
    return undefined;
  }
}
