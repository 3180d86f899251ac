import { setup } from 'xstate';

/** `collecting`: results outstanding; `blocked`: a result waits for a slow downstream. */
export type GatherState = 'idle' | 'collecting' | 'blocked';

export type GatherEvent = { type: 'OUTSTANDING' } | { type: 'SETTLED' } | { type: 'BLOCKED' } | { type: 'UNBLOCKED' };

/** The reassembling half of a distributed segment; told only when its situation changes. */
export const gatherMachine = setup({
  types: { events: {} as GatherEvent },
}).createMachine({
  id: 'gather',
  initial: 'idle',
  states: {
    idle: { on: { OUTSTANDING: 'collecting', BLOCKED: 'blocked' } },
    collecting: { on: { SETTLED: 'idle', BLOCKED: 'blocked' } },
    blocked: { on: { UNBLOCKED: 'collecting' } },
  },
});
