import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { freePort } from '../support/free-port';
import { ROOT, runCli } from '../support/run-typescript';
import { useTempDir } from '../support/temp-dir';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

describe('rivulet (the CLI as a child process)', () => {
  const tempDir = useTempDir();

  test('--help prints every command on stdout and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result).toEqual({ code: 0, stdout: expect.stringMatching(/^usage: rivulet demo/), stderr: '' });
    for (const command of ['rivulet worker --servers URL --tasks PATH', 'rivulet dashboard [--servers URL]', 'rivulet --help | --version']) {
      expect(result.stdout).toContain(command);
    }
  });

  test.each([
    ['worker', 'usage: rivulet worker --servers URL --tasks PATH'],
    ['dashboard', 'usage: rivulet dashboard [--servers URL]'],
    ['demo', 'usage: rivulet demo [--task-ms MS]'],
  ])('%s --help prints its usage on stdout and exits 0', async (command, usage) => {
    const result = await runCli([command, '--help']);
    expect(result).toEqual({ code: 0, stdout: expect.stringContaining(usage), stderr: '' });
  });

  test('--version prints the package version and exits 0', async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  test('no command, or an unknown one, is a usage error (exit 2) that says so', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(lines(none.stderr)[0]).toBe('rivulet: a command is required');
    const unknown = await runCli(['wrker']);
    expect(unknown.code).toBe(2);
    expect(lines(unknown.stderr)[0]).toBe("rivulet: unknown command 'wrker'");
  });

  test('worker names the options that are missing', async () => {
    const both = await runCli(['worker']);
    expect(both.code).toBe(2);
    expect(lines(both.stderr)).toEqual(['rivulet worker: missing --servers and --tasks', expect.stringMatching(/^usage: rivulet worker/)]);
    const tasks = await runCli(['worker', '--servers', 'nats://127.0.0.1:1']);
    expect(lines(tasks.stderr)[0]).toBe('rivulet worker: missing --tasks');
  });

  test('a bad number is a usage error naming the option', async () => {
    const result = await runCli(['worker', '--servers', 'nats://127.0.0.1:1', '--tasks', 'x.js', '--concurrency', 'four']);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)[0]).toBe("rivulet worker: --concurrency must be an integer >= 1, got 'four'");
  });

  test('a missing task module is one clear line, without a require stack', async () => {
    const result = await runCli(['worker', '--servers', `nats://127.0.0.1:${await freePort()}`, '--tasks', './missing.js'], { cwd: tempDir() });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([`rivulet worker: task module not found: ./missing.js (no file ${join(tempDir(), 'missing.js')})`]);
  });

  test('a TypeScript task module that Node.js cannot load says to compile it first', async () => {
    // An enum: not even Node's own type stripping (22.18+) loads it. TS_NODE_IGNORE keeps ts-node, which runs the CLI, off it.
    writeFileSync(join(tempDir(), 'tasks.ts'), 'export enum Kind { A }\n');
    const result = await runCli(['worker', '--servers', `nats://127.0.0.1:${await freePort()}`, '--tasks', './tasks.ts'], {
      cwd: tempDir(),
      env: { TS_NODE_IGNORE: `/node_modules/,${basename(tempDir())}` }, // matched against the path relative to the repository
    });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^rivulet worker: task module \.\/tasks\.ts is TypeScript and this Node\.js could not load it \(.+\): compile it to JavaScript first/)]);
  });

  test.each(['worker', 'dashboard'])('%s: a refused connection names the server', async (command) => {
    writeFileSync(join(tempDir(), 'tasks.js'), '');
    const url = `nats://127.0.0.1:${await freePort()}`;
    const args = command === 'worker' ? ['--tasks', './tasks.js'] : ['--port', '0'];
    const result = await runCli([command, '--servers', url, ...args], { cwd: tempDir() });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([`rivulet ${command}: cannot connect to NATS at ${url}: ConnectionError: connection refused`]);
  });
});
