import { toPipelineError, type PipelineError } from '../errors';
import type { Emitted, Stream } from '../stream';

/** What the inspector counts on one node while someone observes it. */
export interface NodeCounters {
  /** Elements received through `update`. */
  in: number;
  /** Elements passed on through `emit`. */
  out: number;
  /** Synchronous throws out of `update` plus failures sent to `errors`. */
  errors: number;
}

export type ErrorListener = (failure: PipelineError) => void;

type Update = (x: unknown, from?: Stream<unknown>) => Emitted;
type Emit = (x: unknown) => Emitted;
type ReportError = (element: unknown, error: unknown) => void;

interface Attachment {
  readonly counters: NodeCounters;
  readonly errorListeners: Set<ErrorListener>;
  observers: number;
}

const attachments = new WeakMap<Stream<unknown>, Attachment>();
const WRAPPED = ['update', 'emit', 'reportError'] as const;
/** A throw passes every counted upstream on its way out: only the node it came from counts it. */
let propagating: unknown = undefined;

/**
 * Starts counting on `node` by installing counting wrappers as own properties of the instance;
 * the prototype's data path stays untouched, so unobserved nodes pay nothing. Shared between
 * observers: the wrappers go away when the last one calls the returned detach function.
 */
export function attachCounters(node: Stream<unknown>, onError?: ErrorListener): { counters: NodeCounters; detach: () => void } {
  let attachment = attachments.get(node);
  if (attachment === undefined) {
    attachment = install(node);
    attachments.set(node, attachment);
  }
  attachment.observers++;
  if (onError !== undefined) attachment.errorListeners.add(onError);
  const current = attachment;
  let detached = false;
  const detach = (): void => {
    if (detached) return;
    detached = true;
    if (onError !== undefined) current.errorListeners.delete(onError);
    if (--current.observers > 0) return;
    attachments.delete(node);
    // Newest first: V8 then rolls each delete back to the previous hidden class instead of
    // turning the node into a slow dictionary object.
    for (const name of [...WRAPPED].reverse()) delete (node as unknown as Record<string, unknown>)[name];
  };
  return { counters: attachment.counters, detach };
}

/** Whether counting wrappers are installed on `node` (for tests of the zero-cost path). */
export function isCounted(node: Stream<unknown>): boolean {
  return attachments.has(node);
}

/** Elements `node` holds right now (queued, buffered, awaiting an async call or downstream). */
export function pendingOf(node: Stream<unknown>): number {
  return node['heldCount'];
}

function install(node: Stream<unknown>): Attachment {
  const counters: NodeCounters = { in: 0, out: 0, errors: 0 };
  const errorListeners = new Set<ErrorListener>();
  const attachment: Attachment = { counters, errorListeners, observers: 0 };
  const update = node.update as Update;
  const emit = node.emit as Emit;
  const reportError = node.reportError as ReportError;
  const failed = (element: unknown, error: unknown): void => {
    counters.errors++;
    if (errorListeners.size === 0) return;
    const failure = toPipelineError(String(node), element, error);
    for (const listener of errorListeners) listener(failure);
  };
  define(node, 'update', function countedUpdate(this: Stream<unknown>, x: unknown, from?: Stream<unknown>): Emitted {
    counters.in++;
    propagating = undefined;
    try {
      return update.call(this, x, from);
    } catch (error) {
      if (error !== propagating) {
        propagating = error;
        failed(x, error);
      }
      throw error;
    }
  });
  define(node, 'emit', function countedEmit(this: Stream<unknown>, x: unknown): Emitted {
    counters.out++;
    return emit.call(this, x);
  });
  define(node, 'reportError', function countedReportError(this: Stream<unknown>, element: unknown, error: unknown): void {
    failed(element, error);
    reportError.call(this, element, error);
  });
  return attachment;
}

function define(node: Stream<unknown>, name: (typeof WRAPPED)[number], value: Update | Emit | ReportError): void {
  Object.defineProperty(node, name, { value, writable: true, configurable: true, enumerable: false });
}
