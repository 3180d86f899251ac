import { assign, setup } from 'xstate';

/**
 * What a user sees of a scatter: no live worker can run its tasks, waiting for a worker with room,
 * sending, out of credits, or draining.
 */
export type ScatterState = 'missingTasks' | 'waitingForWorkers' | 'dispatching' | 'saturated' | 'draining';

export type ScatterEvent =
  | { type: 'WORKERS'; available: boolean }
  | { type: 'CREDITS'; available: boolean }
  | { type: 'TASKS'; missing: boolean }
  | { type: 'DRAIN' }
  | { type: 'DRAINED' };

/**
 * The dispatching half of a distributed segment. The dispatcher reports only changes (the last
 * credit taken, credits back, the first worker joined, the last one gone); the machine derives the
 * state a user sees from those facts.
 */
export const scatterMachine = setup({
  types: {
    context: {} as { workers: boolean; credits: boolean; draining: boolean; missing: boolean },
    events: {} as ScatterEvent,
  },
  guards: {
    draining: ({ context }) => context.draining,
    missing: ({ context }) => context.missing,
    noWorkers: ({ context }) => !context.workers,
    noCredits: ({ context }) => !context.credits,
  },
}).createMachine({
  id: 'scatter',
  context: { workers: false, credits: true, draining: false, missing: false },
  initial: 'deciding',
  on: {
    WORKERS: { target: '.deciding', actions: assign({ workers: ({ event }) => event.available }) },
    CREDITS: { target: '.deciding', actions: assign({ credits: ({ event }) => event.available }) },
    TASKS: { target: '.deciding', actions: assign({ missing: ({ event }) => event.missing }) },
    DRAIN: { target: '.deciding', actions: assign({ draining: true }) },
    DRAINED: { target: '.deciding', actions: assign({ draining: false }) },
  },
  states: {
    deciding: {
      always: [
        { guard: 'draining', target: 'draining' },
        { guard: 'missing', target: 'missingTasks' },
        { guard: 'noWorkers', target: 'waitingForWorkers' },
        { guard: 'noCredits', target: 'saturated' },
        { target: 'dispatching' },
      ],
    },
    missingTasks: {},
    waitingForWorkers: {},
    dispatching: {},
    saturated: {},
    draining: {},
  },
});
