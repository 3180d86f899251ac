#!/usr/bin/env node
import { parseDemoArgs, runDemo } from './demo';
import { runWorker, WORKER_USAGE } from './worker';

const USAGE = `usage: rivulet demo [--task-ms MS] [--count N]\n       ${WORKER_USAGE.replace('usage: ', '')}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'demo') {
    await runDemo(parseDemoArgs(rest));
    return 0;
  }
  if (command === 'worker') return runWorker(rest);
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (code === 0 && process.argv[2] === 'worker') process.exit(0);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
