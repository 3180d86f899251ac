/**
 * NATS subject rules, shared by every bus: subjects are `.`-separated tokens; a subscription may
 * use `*` for exactly one token and a final `>` for one or more tokens; publishing needs a
 * literal subject. Checks run on every publish, so they are one pass over the characters.
 */
import { ArgumentTypeError } from '../errors';

const DOT = 46;
const STAR = 42;
const GREATER = 62;
const SPACE = 32;
const TAB = 9;
const NEWLINE = 10;
const RETURN = 13;

/** Whether the token `subject[start, end)` is exactly `char`. */
function tokenIs(subject: string, start: number, end: number, char: number): boolean {
  return end - start === 1 && subject.charCodeAt(start) === char;
}

/**
 * Validates in one pass: non-empty tokens, no whitespace; wildcards allowed only if `pattern`
 * (and `>` only as the last token).
 */
function isValid(subject: unknown, pattern: boolean): subject is string {
  if (typeof subject !== 'string' || subject.length === 0) return false;
  let start = 0;
  for (let i = 0; i <= subject.length; i++) {
    const code = i === subject.length ? DOT : subject.charCodeAt(i);
    if (code === SPACE || code === TAB || code === NEWLINE || code === RETURN) return false;
    if (code !== DOT) continue;
    if (i === start) return false;
    const wildcard = tokenIs(subject, start, i, STAR) || tokenIs(subject, start, i, GREATER);
    if (wildcard && (!pattern || (tokenIs(subject, start, i, GREATER) && i !== subject.length))) return false;
    start = i + 1;
  }
  return true;
}

/** Whether `subject` is a literal subject a message can be published to. */
export function isPublishSubject(subject: unknown): subject is string {
  return isValid(subject, false);
}

/** Throws unless `subject` is a literal subject a message can be published to. */
export function checkPublishSubject(subject: unknown, argument = 'subject'): asserts subject is string {
  if (!isPublishSubject(subject)) {
    throw new ArgumentTypeError(argument, 'a literal NATS subject (non-empty tokens, no wildcards)', subject);
  }
}

/** Throws unless `pattern` is a subject a subscription may use (`*` tokens, a final `>`). */
export function checkSubscribePattern(pattern: unknown, argument = 'subject'): asserts pattern is string {
  if (!isValid(pattern, true)) {
    throw new ArgumentTypeError(argument, "a NATS subject pattern ('*' tokens, '>' only last)", pattern);
  }
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
