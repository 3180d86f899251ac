/**
 * The ends of flow-controlled links (`toNats(subject, { credits: true })` and
 * `Stream.fromNats(subject, { credits })`) in the inspected pipelines, read off the counters the
 * link objects keep anyway (nothing is counted per element for the inspector). Nodes are
 * recognised by shape: the inspector imports no link code.
 */
import type { LinkConsumerState } from '../actors/link-consumer';
import type { LinkProducerState } from '../actors/link-producer';
import type { LinkConsumer } from '../links/link-consumer';
import type { LinkProducer } from '../links/link-producer';
import type { Stream } from '../stream';
import type { NodeView, Owner } from './model';

interface LinkEndView {
  /** The graph node of this end (its `toNats` or `fromNats` node). */
  node: number;
  /** The xstate id of the end's actor (see `DashboardState.actors`). */
  actor: string;
  subject: string;
  /** Credits free now (also shown on the node). */
  available: number;
  unacknowledged: number;
}

/** The producing end: what it may send, what it sent, what waits. */
export interface LinkProducerView extends LinkEndView {
  end: 'producer';
  state: LinkProducerState;
  /** Consumers heard from lately. */
  consumers: number;
  /** Credits the producer holds: what those consumers grant together, the most elements it keeps unacknowledged. */
  credits: number;
  /** Elements published (each once, however often sent again). */
  sent: number;
  /** Emits waiting for a credit. */
  waiting: number;
  /** Messages sent again (refused, given back by a leaving consumer, or unclaimed too long). */
  resent: number;
  /** Messages the server found no consumer with a free credit for. */
  refusals: number;
}

/** The consuming end: what it grants and holds. */
export interface LinkConsumerView extends LinkEndView {
  end: 'consumer';
  state: LinkConsumerState;
  queue: string;
  /** Credits this consumer grants. */
  credits: number;
  /** Messages in flight here: received, not yet accepted by its pipeline. */
  held: number;
  /** Messages sent again that it had already, dropped. */
  duplicates: number;
}

export type LinkView = LinkProducerView | LinkConsumerView;

type ProducerEnd = Stream<unknown> & { readonly subject: string; readonly link: LinkProducer };
type ConsumerEnd = Stream<unknown> & { readonly subject: string; readonly link: LinkConsumer };

function isProducerEnd(node: Stream<unknown>): node is ProducerEnd {
  return node.kind === 'toNats' && 'link' in node && node.link !== undefined;
}

/** A `fromNats` with credits once started (before that it has no link to read). */
function isConsumerEnd(node: Stream<unknown>): node is ConsumerEnd {
  return node.kind === 'fromNats' && 'link' in node && node.link !== undefined;
}

/** What both ends tell alike. */
function endView(node: ProducerEnd | ConsumerEnd): Pick<LinkEndView, 'node' | 'actor' | 'subject' | 'unacknowledged'> {
  return { node: node.id, actor: node.link.actorId, subject: node.subject, unacknowledged: node.link.unacknowledged };
}

function producerView(node: ProducerEnd): LinkProducerView {
  const link = node.link;
  return {
    end: 'producer',
    ...endView(node),
    state: link.state,
    consumers: link.consumerCount,
    credits: link.window,
    available: link.availableCredits,
    sent: link.sent,
    waiting: link.waitingSends,
    resent: link.resent,
    refusals: link.refusals,
  };
}

function consumerView(node: ConsumerEnd): LinkConsumerView {
  const link = node.link;
  return { end: 'consumer', ...endView(node), state: link.state, queue: link.queueGroup, credits: link.credits, available: link.freeCredits, held: link.held, duplicates: link.duplicates };
}

function linkViewOf(node: Stream<unknown>): LinkView | undefined {
  if (isProducerEnd(node)) return producerView(node);
  if (isConsumerEnd(node)) return consumerView(node);
  return undefined;
}

function linkOwner(view: LinkView): Owner {
  const name = view.end === 'producer' ? `link producer: ${view.subject}` : `link consumer: ${view.subject} (${view.queue})`;
  const machine = view.end === 'producer' ? 'linkProducer' : 'linkConsumer';
  return { name, node: view.node, machine, state: view.state, sessionId: view.actor };
}

/**
 * The link ends among `members`, in node order. Each end's node shows its free credits, and its
 * actor is registered in `owners` (named after the link, on that node).
 */
export function linkViews(members: ReadonlyArray<Stream<unknown>>, nodes: ReadonlyArray<NodeView>, owners: Map<string, Owner>): LinkView[] {
  const nodesById = new Map(nodes.map((node) => [node.id, node]));
  const views: LinkView[] = [];
  for (const member of members) {
    const view = linkViewOf(member);
    if (view === undefined) continue;
    views.push(view);
    owners.set(view.actor, linkOwner(view));
    const node = nodesById.get(view.node);
    if (node !== undefined) node.credits = view.available;
  }
  return views.sort((a, b) => a.node - b.node);
}
