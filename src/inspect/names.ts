import type { Stream } from '../stream';

/** A node as people read it: its `toString()` without the brackets (`map: inc`, `numbers; Stream`, `gather`). */
export function nodeName(node: Stream<unknown>): string {
  return String(node).slice(1, -1);
}

/** What follows the kind in a node's name (`inc` of `map: inc`), or the kind when nothing does. */
export function nodeDetail(node: Stream<unknown>): string {
  const name = nodeName(node);
  const colon = name.indexOf(': ');
  return colon < 0 ? node.kind : name.slice(colon + 2);
}

/** The xstate id of the node's lifecycle actor (`node-3`), the key the inspector lists it under. */
export function lifecycleActorId(node: Stream<unknown>): string {
  return node['lifecycle'].id;
}
