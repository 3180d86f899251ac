/** A wrong argument type: `argument` names the offending parameter. */
export class ArgumentTypeError extends TypeError {
  override readonly name = 'ArgumentTypeError';
  constructor(
    readonly argument: string,
    expected: string,
    received: unknown,
  ) {
    super(argumentMessage(argument, expected, received));
  }
}

/** A value of the right type but outside its allowed range, or an option that does not exist. */
export class ArgumentRangeError extends RangeError {
  override readonly name = 'ArgumentRangeError';
  /** `message` replaces the usual "`argument` must be `expected`, got `received`". */
  constructor(
    readonly argument: string,
    expected: string,
    received: unknown,
    message = argumentMessage(argument, expected, received),
  ) {
    super(message);
  }
}

function argumentMessage(argument: string, expected: string, received: unknown): string {
  return `${argument} must be ${expected}, got ${describeValue(received)}`;
}

/** Connecting to NATS failed (refused, unreachable, not authorized); `servers` says where it tried. */
export class NatsConnectionError extends Error {
  override readonly name = 'NatsConnectionError';
  readonly servers: string[];
  constructor(servers: string | readonly string[], cause: unknown) {
    const list = typeof servers === 'string' ? [servers] : [...servers];
    super(`cannot connect to NATS at ${list.join(', ')}: ${describeError(cause)}`, { cause });
    this.servers = list;
  }
}

/**
 * A failure that happened while a node processed an element. It carries the node, the element,
 * the original error (also as `cause`) and, for distributed work, the task name and sequence.
 */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';
  constructor(
    readonly node: string,
    readonly element: unknown,
    readonly error: unknown,
    readonly task?: string,
    readonly seq?: number,
  ) {
    super(pipelineMessage(node, element, error, task, seq), { cause: error });
  }
}

function pipelineMessage(node: string, element: unknown, error: unknown, task?: string, seq?: number): string {
  const where = task === undefined ? node : `${node} task '${task}'${seq === undefined ? '' : ` (seq ${seq})`}`;
  return `${where} failed on element ${describeValue(element)}: ${describeError(error)}`;
}

/** `Name: message` of anything thrown, also of errors from another realm (Node internals under jest). */
export function describeError(error: unknown): string {
  const candidate = error as Partial<Error> | null | undefined;
  if (typeof candidate?.message === 'string') return `${candidate.name ?? 'Error'}: ${candidate.message}`;
  return String(error);
}

const PREVIEW_LENGTH = 80;

/** A short, safe rendering of any value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || value === undefined) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…` : text;
}

/** Wraps anything thrown into a PipelineError for `node` and `element` (kept as is if it already is one). */
export function toPipelineError(node: string, element: unknown, error: unknown): PipelineError {
  return error instanceof PipelineError ? error : new PipelineError(node, element, error);
}

/** The client is closing: an element emitted after `client.close()` began is refused. */
export class ClientClosingError extends Error {
  override readonly name = 'ClientClosingError';
  constructor() {
    super('the client is closing: the element was not accepted');
  }
}

/**
 * A durable `fromNats` could not set up its JetStream stream or consumer: JetStream is off, no
 * stream captures the subject, or the server refused the consumer. Names the subject, the
 * `durable` consumer and the `stream` (when known).
 */
export class JetStreamSetupError extends Error {
  override readonly name = 'JetStreamSetupError';
  constructor(
    readonly subject: string,
    readonly durable: string,
    readonly stream: string | undefined,
    problem: string,
    cause?: unknown,
  ) {
    super(`fromNats '${subject}' (durable '${durable}'${stream === undefined ? '' : `, stream '${stream}'`}): ${problem}`, { cause });
  }
}

/**
 * A durable segment (`scatter({ durable })`) cannot run: the client is not a NATS client, the
 * server runs no JetStream (`nats-server -js`), or the server refused its streams or consumers.
 */
export class DurableSegmentError extends Error {
  override readonly name = 'DurableSegmentError';
  constructor(
    readonly durable: string,
    problem: string,
    cause?: unknown,
  ) {
    super(`scatter({ durable: '${durable}' }): ${problem}`, { cause });
  }
}

/**
 * JetStream did not store an element published by `toNats(subject, { jetstream: true })`: no
 * stream captures the subject (`no-stream`), the stream refused it (`rejected`: full, too big;
 * `code` is the server's error code), or no acknowledgement came in time (`timeout`; it may be
 * stored, and sending it again with the same message id stores it once).
 */
export class JetStreamPublishError extends Error {
  override readonly name = 'JetStreamPublishError';
  constructor(
    readonly subject: string,
    readonly reason: 'no-stream' | 'rejected' | 'timeout',
    detail: string,
    readonly code?: number,
    cause?: unknown,
  ) {
    super(`JetStream did not store a message on '${subject}' (${reason}): ${detail}`, { cause });
  }
}
