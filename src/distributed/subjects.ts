/**
 * Subject names of the distributed protocol. Everything lives under a prefix per cluster
 * (default `rivulet`); tasks go to a pool (default `default`).
 *
 * The prefix is one or more literal NATS tokens joined by dots (`rivulet`, `team-a.rivulet`, so a
 * NATS user can be confined to `team-a.>`); the pool is one literal token. A token is non-empty and
 * has no `.`, `*`, `>`, whitespace or control character: a wildcard would turn a subscription such
 * as `<prefix>.workers.heartbeat` into one that hears every cluster on the server.
 */
import { ArgumentRangeError, ArgumentTypeError } from '../errors';

export const DEFAULT_PREFIX = 'rivulet';
export const DEFAULT_POOL = 'default';

const TOKEN = String.raw`[^\s\p{Cc}.*>]+`;
const LITERAL_TOKEN = new RegExp(`^${TOKEN}$`, 'u');
const LITERAL_SUBJECT = new RegExp(`^${TOKEN}(?:\\.${TOKEN})*$`, 'u');

function requireLiteral(argument: string, value: string, form: RegExp, expected: string): string {
  if (typeof value !== 'string') throw new ArgumentTypeError(argument, 'a string', value);
  if (!form.test(value)) throw new ArgumentRangeError(argument, expected, value);
  return value;
}

export class Subjects {
  readonly prefix: string;
  readonly pool: string;

  constructor(prefix: string = DEFAULT_PREFIX, pool: string = DEFAULT_POOL) {
    this.prefix = requireLiteral('prefix', prefix, LITERAL_SUBJECT, "literal NATS tokens joined by '.' (no '*', '>', whitespace or empty token)");
    this.pool = requireLiteral('pool', pool, LITERAL_TOKEN, "one literal NATS token (no '.', '*', '>' or whitespace)");
  }

  /** The pool's tasks: every worker serves it as a member of queue group `pool`, for its free slots. */
  get tasks(): string {
    return `${this.prefix}.tasks.${this.pool}`;
  }

  /** Workers' capacity credits: a worker that had no free slot announces it has some again. */
  get capacity(): string {
    return `${this.prefix}.credit.pool.${this.pool}`;
  }

  /** Answers at once while the worker's connection lives: no responders means it is gone. */
  ping(workerId: string): string {
    return `${this.prefix}.control.ping.${workerId}`;
  }

  /** Results of one pipeline segment. */
  results(pipeline: string): string {
    return `${this.prefix}.results.${pipeline}`;
  }

  /** Credit grants from a segment's gather to its scatter. */
  credit(pipeline: string): string {
    return `${this.prefix}.credit.segment.${pipeline}`;
  }

  /** Asks one worker to drain (finish its tasks, then stop). */
  drainWorker(workerId: string): string {
    return `${this.prefix}.control.drain.${workerId}`;
  }

  get heartbeat(): string {
    return `${this.prefix}.workers.heartbeat`;
  }

  /** Inspectors ask every worker to report its actor (for a lease). */
  get inspectWatch(): string {
    return `${this.prefix}.control.inspect`;
  }

  /** One worker's actor reports, while an inspector asks for them. */
  inspect(workerId: string): string {
    return `${this.prefix}.inspect.${workerId}`;
  }
}
