/** `rivulet demo`'s command line (kept apart from the demo so `--help` loads nothing else). */
import type { DemoOptions } from './demo';
import { integerOption, parseCommandArgs } from './usage';

const COMMAND = 'rivulet demo';
export const DEMO_USAGE = 'usage: rivulet demo [--task-ms MS] [--count N] [--dashboard [--port P]]';
const DEFAULT_DASHBOARD_PORT = 8787;

export function parseDemoArgs(argv: string[]): DemoOptions {
  const values = parseCommandArgs(COMMAND, DEMO_USAGE, argv, {
    'task-ms': { type: 'string' },
    count: { type: 'string' },
    dashboard: { type: 'boolean' },
    port: { type: 'string' },
  });
  return {
    taskMs: integerOption(COMMAND, DEMO_USAGE, 'task-ms', values['task-ms'], 0),
    count: integerOption(COMMAND, DEMO_USAGE, 'count', values.count, 1),
    dashboardPort: values.dashboard ? (integerOption(COMMAND, DEMO_USAGE, 'port', values.port, 0) ?? DEFAULT_DASHBOARD_PORT) : undefined,
  };
}
