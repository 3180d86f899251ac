import type { StepSpec, StepState } from './protocol';
import { NO_POLICY, type ResolvedPolicy } from './task-policy';

/** Where an `accumulate` step keeps its state between elements (on the client). */
export interface StateHolder {
  stepState: StepState;
}

/** The steps from a scatter to one task node, computed once per node. */
export class CompiledChain {
  /** How many values one element's result can have: `filter` can drop it, `flatten` expand it. */
  private readonly fewestValues: number;
  private readonly mostValues: number;

  constructor(
    readonly steps: readonly StepSpec[],
    /** One per `accumulate` step, in chain order; a chain with any runs one element at a time. */
    readonly stateHolders: readonly StateHolder[],
    /** Retries, backoff and timeout for the fused task. */
    readonly policy: ResolvedPolicy = NO_POLICY,
  ) {
    this.fewestValues = steps.some((step) => step.op === 'filter' || step.op === 'flatten') ? 0 : 1;
    this.mostValues = steps.some((step) => step.op === 'flatten') ? Infinity : 1;
  }

  /** Whether a result with `count` values can come from this chain (a forged or broken one cannot pass). */
  yields(count: number): boolean {
    return count >= this.fewestValues && count <= this.mostValues;
  }

  get sequential(): boolean {
    return this.stateHolders.length > 0;
  }

  currentStates(): StepState[] | undefined {
    return this.sequential ? this.stateHolders.map((holder) => holder.stepState) : undefined;
  }

  storeStates(states: readonly StepState[] | undefined): void {
    if (states === undefined) return;
    for (let i = 0; i < this.stateHolders.length && i < states.length; i++) this.stateHolders[i].stepState = states[i];
  }
}
