/**
 * NATS subject rules, shared by every bus: subjects are `.`-separated tokens; a subscription may
 * use `*` for exactly one token and a final `>` for one or more tokens; publishing needs a
 * literal subject.
 */
import { ArgumentTypeError } from '../errors';

const FORBIDDEN = /[\s]/;

function validTokens(subject: unknown): subject is string {
  if (typeof subject !== 'string' || subject.length === 0 || FORBIDDEN.test(subject)) return false;
  return !subject.split('.').includes('');
}

/** Throws unless `subject` is a literal subject a message can be published to. */
export function checkPublishSubject(subject: unknown, argument = 'subject'): asserts subject is string {
  if (!validTokens(subject) || subject.split('.').some((token) => token === '*' || token === '>')) {
    throw new ArgumentTypeError(argument, 'a literal NATS subject (non-empty tokens, no wildcards)', subject);
  }
}

/** Throws unless `pattern` is a subject a subscription may use (`*` tokens, a final `>`). */
export function checkSubscribePattern(pattern: unknown, argument = 'subject'): asserts pattern is string {
  if (!validTokens(pattern) || pattern.split('.').some((token, i, all) => token === '>' && i !== all.length - 1)) {
    throw new ArgumentTypeError(argument, "a NATS subject pattern ('*' tokens, '>' only last)", pattern);
  }
}

export function isWildcard(pattern: string): boolean {
  return pattern.split('.').some((token) => token === '*' || token === '>');
}

/** Whether literal `subject` matches subscription `pattern` (both assumed valid). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const wanted = pattern.split('.');
  const actual = subject.split('.');
  for (let i = 0; i < wanted.length; i++) {
    if (wanted[i] === '>') return actual.length > i;
    if (i >= actual.length) return false;
    if (wanted[i] !== '*' && wanted[i] !== actual[i]) return false;
  }
  return wanted.length === actual.length;
}
