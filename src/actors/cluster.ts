import { setup } from 'xstate';

/** What a user sees of a local cluster of worker threads. */
export type ClusterState = 'starting' | 'ready' | 'scaling' | 'closing' | 'closed';

export type ClusterEvent = { type: 'READY' } | { type: 'SCALE' } | { type: 'CLOSE' } | { type: 'CLOSED' };

export const clusterMachine = setup({
  types: { events: {} as ClusterEvent },
}).createMachine({
  id: 'cluster',
  initial: 'starting',
  states: {
    starting: { on: { READY: 'ready', CLOSE: 'closing' } },
    ready: { on: { SCALE: 'scaling', CLOSE: 'closing' } },
    scaling: { on: { READY: 'ready', CLOSE: 'closing' } },
    closing: { on: { CLOSED: 'closed' } },
    closed: { type: 'final' },
  },
});
