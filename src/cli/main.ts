#!/usr/bin/env node
import { runDemo } from './demo';

const USAGE = 'usage: rivulet demo';

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === 'demo') {
    await runDemo();
    return 0;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
