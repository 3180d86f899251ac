import { setup } from 'xstate';

/** What a user sees of a worker. `busy`: some slots taken; `saturated`: every slot taken. */
export type WorkerState = 'connecting' | 'ready' | 'busy' | 'saturated' | 'draining' | 'stopped';

export type WorkerEvent = { type: 'CONNECTED' } | { type: 'IDLE' } | { type: 'BUSY' } | { type: 'SATURATED' } | { type: 'DRAIN' } | { type: 'STOPPED' };

/**
 * A worker's lifecycle. The runtime sends an event only when its load level changes (idle, some
 * slots taken, all taken), never per task. `announce` publishes a heartbeat so clients learn of
 * the change at once.
 */
export const workerMachine = setup({
  types: { events: {} as WorkerEvent },
  actions: { announce: () => {} },
}).createMachine({
  id: 'worker',
  initial: 'connecting',
  states: {
    connecting: { on: { CONNECTED: { target: 'ready', actions: 'announce' }, DRAIN: 'draining' } },
    ready: { on: { BUSY: 'busy', SATURATED: 'saturated', DRAIN: { target: 'draining', actions: 'announce' } } },
    busy: { on: { IDLE: 'ready', SATURATED: 'saturated', DRAIN: { target: 'draining', actions: 'announce' } } },
    saturated: { on: { IDLE: 'ready', BUSY: 'busy', DRAIN: { target: 'draining', actions: 'announce' } } },
    draining: { on: { STOPPED: { target: 'stopped', actions: 'announce' } } },
    stopped: { type: 'final' },
  },
});
