import { setup } from 'xstate';

/** What a user sees of a node on the inspector and the dashboard. */
export type LifecycleState = 'idle' | 'running' | 'paused' | 'draining' | 'finished' | 'stopped' | 'failed';

export type LifecycleEvent =
  | { type: 'ACTIVATE' }
  | { type: 'HOLD' }
  | { type: 'RELEASE' }
  | { type: 'DRAIN' }
  | { type: 'START' }
  | { type: 'STOP' }
  | { type: 'FINISH' }
  | { type: 'FAIL'; error: unknown };

/**
 * A node's lifecycle. `paused` means the node holds elements it has not passed on yet (waiting on
 * downstream or on its own timer/queue); `draining` means a `drain()` is waiting for those. Events
 * are sent only when the state changes, never once per element. `finished` is a source that ran out
 * of input.
 */
export const nodeLifecycle = setup({
  types: { events: {} as LifecycleEvent },
}).createMachine({
  id: 'node',
  initial: 'idle',
  states: {
    idle: { on: { ACTIVATE: 'running', START: 'running', HOLD: 'paused', STOP: 'stopped', FAIL: 'failed' } },
    running: { on: { HOLD: 'paused', FINISH: 'finished', STOP: 'stopped', FAIL: 'failed' } },
    paused: { on: { RELEASE: 'running', DRAIN: 'draining', FINISH: 'finished', STOP: 'stopped', FAIL: 'failed' } },
    finished: { on: { START: 'running', STOP: 'stopped', FAIL: 'failed' } },
    draining: { on: { RELEASE: 'running', STOP: 'stopped', FAIL: 'failed' } },
    stopped: { on: { START: 'running', ACTIVATE: 'running', FAIL: 'failed' } },
    failed: { on: { START: 'running', STOP: 'stopped' } },
  },
});
