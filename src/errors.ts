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

/** A value of the right type but outside its allowed range. */
export class ArgumentRangeError extends RangeError {
  override readonly name = 'ArgumentRangeError';
  constructor(
    readonly argument: string,
    expected: string,
    received: unknown,
  ) {
    super(argumentMessage(argument, expected, received));
  }
}

function argumentMessage(argument: string, expected: string, received: unknown): string {
  return `${argument} must be ${expected}, got ${describeValue(received)}`;
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
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `${where} failed on element ${describeValue(element)}: ${reason}`;
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
