import type { AnyStateMachine } from 'xstate';
import { clusterMachine } from '../actors/cluster';
import { connectionMachine } from '../actors/connection';
import { gatherMachine } from '../actors/gather';
import { nodeLifecycle } from '../actors/node-lifecycle';
import { scatterMachine } from '../actors/scatter';
import { workerMachine } from '../actors/worker';

/** A transition as the inspector draws it; `from: '*'` is one the machine takes in any state. */
export interface MachineTransition {
  from: string;
  to: string;
  /** The event type, or `always` for an eventless transition. */
  event: string;
  guard?: string;
}

/** An xstate machine's states and transitions, read from its definition (what the inspector draws). */
export interface MachineGraph {
  id: string;
  initial: string | undefined;
  /** State paths relative to the machine (`idle`, `dispatching`; `a.b` for nested states). */
  states: string[];
  transitions: MachineTransition[];
}

interface StateNodeLike {
  id: string;
  states: Record<string, StateNodeLike>;
  transitions: Map<string, ReadonlyArray<TransitionLike>>;
  always?: ReadonlyArray<TransitionLike>;
}

interface TransitionLike {
  target?: ReadonlyArray<{ id: string }>;
  guard?: unknown;
}

export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const root = machine.root as unknown as StateNodeLike;
  const relative = (id: string): string => (id === root.id ? '*' : id.slice(root.id.length + 1));
  const states: string[] = [];
  const transitions: MachineTransition[] = [];
  const visit = (node: StateNodeLike): void => {
    if (node !== root) states.push(relative(node.id));
    const from = relative(node.id);
    for (const [event, list] of node.transitions) for (const t of list) addTransition(transitions, from, event, t, relative);
    for (const t of node.always ?? []) addTransition(transitions, from, 'always', t, relative);
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(root);
  const initial = (machine.root.initial?.target as ReadonlyArray<{ id: string }> | undefined)?.[0]?.id;
  return { id: machine.id, initial: initial === undefined ? undefined : relative(initial), states, transitions };
}

function addTransition(into: MachineTransition[], from: string, event: string, transition: TransitionLike, relative: (id: string) => string): void {
  for (const target of transition.target ?? []) {
    const entry: MachineTransition = { from, to: relative(target.id), event };
    const guard = guardName(transition.guard);
    if (guard !== undefined) entry.guard = guard;
    into.push(entry);
  }
}

function guardName(guard: unknown): string | undefined {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') return guard.name || 'guard';
  if (guard !== null && typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') return (guard as { type: string }).type;
  return undefined;
}

const RIVULET_MACHINES: AnyStateMachine[] = [nodeLifecycle, scatterMachine, gatherMachine, workerMachine, clusterMachine, connectionMachine];

/** Rivulet's own machines, by id, plus any machine an inspected actor ran (learned from its events). */
export class MachineCatalogue {
  private readonly graphs = new Map<string, MachineGraph>(RIVULET_MACHINES.map((machine) => [machine.id, machineGraph(machine)]));

  /** Learns the machine of an actor seen in an inspection event (its `logic`), if it is one. */
  learn(logic: unknown): void {
    const machine = logic as Partial<AnyStateMachine> | undefined;
    if (typeof machine?.id !== 'string' || this.graphs.has(machine.id) || machine.root === undefined) return;
    this.graphs.set(machine.id, machineGraph(machine as AnyStateMachine));
  }

  get(id: string): MachineGraph | undefined {
    return this.graphs.get(id);
  }
}
