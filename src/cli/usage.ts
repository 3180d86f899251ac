/** Argument parsing shared by the `rivulet` commands: `--help`, and usage errors that name the problem. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake on the command line: its message is the problem, then the command's usage (exit code 2). */
export class UsageError extends Error {
  constructor(
    readonly problem: string,
    readonly usage: string,
  ) {
    super(`${problem}\n${usage}`);
    this.name = 'UsageError';
  }
}

/** Printing `usage` on stdout is all that was asked for. */
export class HelpRequest extends Error {
  constructor(readonly usage: string) {
    super(usage);
    this.name = 'HelpRequest';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h' } } as const;
type Values<T extends Options> = ReturnType<typeof parseArgs<{ options: T & typeof HELP; strict: true }>>['values'];

/** `parseArgs` (strict) plus `--help`/`-h` (the usage, then `details`); its errors become a `UsageError` naming the command. */
export function parseCommandArgs<T extends Options>(command: string, usage: string, argv: string[], options: T, details?: string): Values<T> {
  let values: Values<T>;
  try {
    values = parseArgs({ args: argv, options: { ...options, ...HELP }, strict: true }).values;
  } catch (error) {
    throw new UsageError(`${command}: ${firstSentence(error)}`, usage);
  }
  if ((values as { help?: boolean }).help === true) throw new HelpRequest(details === undefined ? usage : `${usage}\n\n${details}`);
  return values;
}

/** Throws a `UsageError` listing the options that are missing, if any. */
export function requireOptions(command: string, usage: string, values: Record<string, unknown>, names: string[]): void {
  const missing = names.filter((name) => values[name] === undefined).map((name) => `--${name}`);
  if (missing.length > 0) throw new UsageError(`${command}: missing ${missing.join(' and ')}`, usage);
}

/** An integer option (`undefined` when absent); anything else is a `UsageError` naming it. */
export function integerOption(command: string, usage: string, name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < min) throw new UsageError(`${command}: --${name} must be an integer >= ${min}, got '${value}'`, usage);
  return number;
}

const MAX_PORT = 65535;

/** A TCP port option (`undefined` when absent; 0 lets the system pick); anything else is a `UsageError` naming it. */
export function portOption(command: string, usage: string, name: string, value: string | undefined): number | undefined {
  const port = integerOption(command, usage, name, value, 0);
  if (port !== undefined && port > MAX_PORT) throw new UsageError(`${command}: --${name} must be at most ${MAX_PORT}, got ${port}`, usage);
  return port;
}

/** Node's parse errors go on to explain `--`; the first sentence names the problem. */
function firstSentence(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(/(?<=\.)\s/)[0];
}
