/** Small pieces both buses share. */
import { ArgumentRangeError } from '../errors';
import type { Message } from './bus';

export const DEFAULT_REQUEST_TIMEOUT = 5000;

export function checkPositiveTimeout(timeout: number): number {
  if (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout)) {
    throw new ArgumentRangeError('timeout', 'a positive finite number of milliseconds', timeout);
  }
  return timeout;
}

/** The request id at the end of a reply subject `<inboxPrefix><id>`, if it is one. */
export function replyId(subject: string, inboxPrefix: string): number | undefined {
  if (!subject.startsWith(inboxPrefix)) return undefined;
  const id = Number(subject.slice(inboxPrefix.length));
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

export function printHandlerError(error: unknown, message: Message): void {
  console.error(`rivulet bus: a handler for '${message.subject}' threw`, error);
}
