/** Runs a TypeScript file of this repository as a real Node.js process (through ts-node) and collects what it printed. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** The process is killed (and the run rejected) after this many ms. */
  timeout?: number;
}

/** Resolved here: `-r` alone would look for ts-node from the child's working directory. */
const TS_NODE = require.resolve('ts-node/register/transpile-only');
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function runTypeScript(file: string, args: string[] = [], options: RunOptions = {}): Promise<RunResult> {
  const timeout = options.timeout ?? 20_000;
  const child = spawn(process.execPath, ['-r', TS_NODE, file, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} did not exit within ${timeout} ms:\n${stdout}\n${stderr}`));
    }, timeout);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `rivulet …` from source. */
export function runCli(args: string[], options?: RunOptions): Promise<RunResult> {
  return runTypeScript(join(ROOT, 'src', 'cli', 'main.ts'), args, options);
}
