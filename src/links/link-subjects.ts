/**
 * Subjects of a flow-controlled link on data subject S. Data goes to S itself, to the consumers'
 * queue group, each message with the reply subject `<producer>.<seq>`: the producer id is its own
 * inbox, so the server's "no responders" answer for a message nobody could take comes back to it
 * naming the sequence, and consumers acknowledge to `<producer>.ack`.
 *
 * | subject | carries |
 * | --- | --- |
 * | `S` (queue group) | the element, encoded as by any bus; reply `<producer>.<seq>` |
 * | `<producer>.ack` | a consumer's report: sequences accepted, or released unaccepted |
 * | `rivulet.link.consumers.S` | consumer status: credits, free credits, messages held |
 * | `rivulet.link.waiting.S` | a producer out of credits asks the consumers to announce |
 */
import { createInbox } from '@nats-io/transport-node';

const LINK_PREFIX = 'rivulet.link';
const INBOX_PREFIX = '_INBOX.';
const REPORT_TOKEN = 'ack';

/** The queue group consumers join when they name none. */
export const DEFAULT_LINK_QUEUE = 'link';

export function consumersSubject(subject: string): string {
  return `${LINK_PREFIX}.consumers.${subject}`;
}

export function waitingSubject(subject: string): string {
  return `${LINK_PREFIX}.waiting.${subject}`;
}

/** A new producer id: an inbox of its own, so replies and reports reach only it. */
export function newProducerId(): string {
  return createInbox();
}

export function reportSubject(producer: string): string {
  return `${producer}.${REPORT_TOKEN}`;
}

export function isReportSubject(subject: string, producer: string): boolean {
  return subject.length === producer.length + REPORT_TOKEN.length + 1 && subject.endsWith(REPORT_TOKEN);
}

/** A message's producer and sequence, read from its reply subject. */
export interface Origin {
  producer: string;
  seq: number;
}

/**
 * The origin a reply subject names, or `undefined` when it is not `_INBOX.<id>.<seq>` (a consumer
 * never reports to a subject outside the inboxes, whatever a message's reply says).
 */
export function readOrigin(reply: string | undefined, into: Origin): Origin | undefined {
  if (reply === undefined || !reply.startsWith(INBOX_PREFIX)) return undefined;
  const dot = reply.lastIndexOf('.');
  if (dot <= INBOX_PREFIX.length || reply.indexOf('.', INBOX_PREFIX.length) !== dot) return undefined;
  const seq = Number(reply.slice(dot + 1));
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  into.producer = reply.slice(0, dot);
  into.seq = seq;
  return into;
}
