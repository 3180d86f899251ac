#!/usr/bin/env node
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_USAGE, parseDashboardArgs } from './dashboard-args';
import { DEMO_USAGE, parseDemoArgs } from './demo-args';
import { HelpRequest, UsageError } from './usage';
import { parseWorkerArgs, WORKER_USAGE } from './worker-args';

const COMMAND_LINES = [DEMO_USAGE, WORKER_USAGE, DASHBOARD_USAGE, 'usage: rivulet --help | --version'].map((line) => line.replace('usage: ', ''));
const USAGE = `usage: ${COMMAND_LINES.join('\n       ')}\n\nEach command takes --help.`;

/** Each command's module is required only when it runs: help, version and usage errors load no more than the argument parsers. */
const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { demo, worker, dashboard };

async function demo(argv: string[]): Promise<number> {
  const options = parseDemoArgs(argv);
  const { runDemo } = require('./demo') as typeof import('./demo');
  const { dashboard } = await runDemo(options);
  if (dashboard) {
    console.log(`Done. The dashboard stays open at ${dashboard.url} until Ctrl+C.`);
    await once(process, 'SIGINT');
    await dashboard.close();
  }
  return 0;
}

function worker(argv: string[]): Promise<number> {
  const options = parseWorkerArgs(argv);
  const { runWorker } = require('./worker') as typeof import('./worker');
  return runWorker(options);
}

async function dashboard(argv: string[]): Promise<number> {
  const options = parseDashboardArgs(argv);
  const { runDashboard } = require('./dashboard') as typeof import('./dashboard');
  await runDashboard(options);
  return 0;
}

async function main([command, ...rest]: string[]): Promise<number> {
  if (command === '--help' || command === '-h' || command === 'help') throw new HelpRequest(USAGE);
  if (command === '--version' || command === '-v') {
    console.log(packageVersion());
    return 0;
  }
  if (command === undefined) throw new UsageError('rivulet: a command is required', USAGE);
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (run === undefined) throw new UsageError(`rivulet: unknown command '${command}'`, USAGE);
  return run(rest);
}

/** The same package.json two levels up from src/cli/ and from dist/cli/. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** Help goes to stdout (exit 0), a usage mistake to stderr with the usage (exit 2), any other failure as one line (exit 1). */
function report(error: unknown, command: string | undefined): number {
  if (error instanceof HelpRequest) {
    console.log(error.usage);
    return 0;
  }
  if (error instanceof UsageError) {
    console.error(error.message);
    return 2;
  }
  console.error(`rivulet${command === undefined ? '' : ` ${command}`}: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
    if (code === 0 && argv[0] === 'worker') process.exit(0);
  },
  (error: unknown) => {
    process.exitCode = report(error, argv[0]);
  },
);
