import type { LifecycleState } from '../actors/node-lifecycle';
import type { Stream } from '../stream';

export type GraphFormat = 'mermaid' | 'dot';

export interface GraphNode {
  id: number;
  label: string;
  kind: string;
  state: LifecycleState;
}

export interface GraphEdge {
  from: number;
  to: number;
  /** The downstream's position when a node has several downstreams (as streamz labels them). */
  label?: string;
}

/** The one graph model behind `visualize()` and the dashboard. */
export interface PipelineGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function graphOf(root: Stream<unknown>): PipelineGraph {
  return graphOfMembers(root.graph());
}

/** The graph of `members` (each node with its edges to its downstreams), ordered by node id. */
export function graphOfMembers(nodesOfGraph: ReadonlyArray<Stream<unknown>>): PipelineGraph {
  const members = [...nodesOfGraph].sort((a, b) => a.id - b.id);
  const nodes = members.map((node) => ({ id: node.id, label: String(node), kind: node.kind, state: node.state }));
  const edges: GraphEdge[] = [];
  for (const node of members) {
    const many = node.downstreams.length > 1;
    node.downstreams.forEach((downstream, index) => {
      edges.push(many ? { from: node.id, to: downstream.id, label: String(index) } : { from: node.id, to: downstream.id });
    });
  }
  return { nodes, edges };
}

export function renderGraph(graph: PipelineGraph, format: GraphFormat): string {
  if (format === 'dot') return renderDot(graph);
  if (format === 'mermaid') return renderMermaid(graph);
  throw new RangeError(`format must be 'mermaid' or 'dot', got ${JSON.stringify(format)}`);
}

function renderMermaid(graph: PipelineGraph): string {
  const lines = ['flowchart TD'];
  for (const node of graph.nodes) lines.push(`  n${node.id}["${escapeMermaid(node.label)}"]`);
  for (const edge of graph.edges) {
    lines.push(edge.label === undefined ? `  n${edge.from} --> n${edge.to}` : `  n${edge.from} -->|${edge.label}| n${edge.to}`);
  }
  return lines.join('\n');
}

function renderDot(graph: PipelineGraph): string {
  const lines = ['digraph rivulet {'];
  for (const node of graph.nodes) lines.push(`  n${node.id} [label=${JSON.stringify(node.label)}];`);
  for (const edge of graph.edges) {
    lines.push(edge.label === undefined ? `  n${edge.from} -> n${edge.to};` : `  n${edge.from} -> n${edge.to} [label="${edge.label}"];`);
  }
  lines.push('}');
  return lines.join('\n');
}

function escapeMermaid(label: string): string {
  return label.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}
