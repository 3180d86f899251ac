import type { Stream } from '../stream';

/** A node's counts since it was built (`Stream` keeps them always: nothing is installed to read them). */
export interface NodeCounters {
  /** Elements received from upstreams; for a source, the elements emitted into it. */
  in: number;
  /** Elements passed on through `emit`. */
  out: number;
  /** Synchronous throws out of `update` plus failures sent to `errors`. */
  errors: number;
  /** Elements the node holds right now (queued, buffered, awaiting an async call or downstream). */
  pending: number;
}

export function countersOf(node: Stream<unknown>): NodeCounters {
  const out = emittedBy(node);
  return { in: receivedBy(node, out), out, errors: node['failures'], pending: node['heldCount'] };
}

/** Every emit of an upstream reaches each of its downstreams; the offset keeps connects and disconnects right. */
function receivedBy(node: Stream<unknown>, out: number): number {
  let received = node['receivedOffset'];
  if (node.upstreams.length === 0 && received === 0) return out;
  for (const upstream of node.upstreams) received += emittedBy(upstream);
  return received;
}

function emittedBy(node: Stream<unknown>): number {
  return node['outlet'].emitted;
}
