#!/usr/bin/env node
import { DASHBOARD_USAGE, runDashboard } from './dashboard';
import { once } from 'node:events';
import { parseDemoArgs, runDemo } from './demo';
import { runWorker, WORKER_USAGE } from './worker';

const COMMANDS = ['rivulet demo [--task-ms MS] [--count N] [--dashboard [--port P]]', WORKER_USAGE, DASHBOARD_USAGE].map((line) => line.replace('usage: ', ''));
const USAGE = `usage: ${COMMANDS.join('\n       ')}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'demo') {
    const { dashboard } = await runDemo(parseDemoArgs(rest));
    if (dashboard) {
      console.log(`Done. The dashboard stays open at ${dashboard.url} until Ctrl+C.`);
      await once(process, 'SIGINT');
      await dashboard.close();
    }
    return 0;
  }
  if (command === 'worker') return runWorker(rest);
  if (command === 'dashboard') {
    await runDashboard(rest);
    return 0;
  }
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
