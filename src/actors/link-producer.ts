import { assign, setup } from 'xstate';

/**
 * What a user sees of a link's producer (`toNats(subject, { credits: true })`): connecting, no
 * consumer known, sending, or out of credits (its `emit` waits), and closed.
 */
export type LinkProducerState = 'connecting' | 'waitingForConsumers' | 'linked' | 'saturated' | 'closed';

export type LinkProducerEvent =
  | { type: 'CONNECTED' }
  | { type: 'CONSUMERS'; present: boolean }
  | { type: 'CREDITS'; available: boolean }
  | { type: 'CLOSED' };

/**
 * The producer reports facts as they change (connected, the first consumer heard, the last one
 * gone, an emit that had to wait, credits back at a heartbeat tick) and only once connected; the
 * machine derives the state from them.
 */
export const linkProducerMachine = setup({
  types: {
    context: {} as { consumers: boolean; credits: boolean },
    events: {} as LinkProducerEvent,
  },
  guards: {
    noConsumers: ({ context }) => !context.consumers,
    noCredits: ({ context }) => !context.credits,
  },
}).createMachine({
  id: 'linkProducer',
  context: { consumers: false, credits: true },
  initial: 'connecting',
  on: {
    CONNECTED: '.deciding',
    CONSUMERS: { target: '.deciding', actions: assign({ consumers: ({ event }) => event.present }) },
    CREDITS: { target: '.deciding', actions: assign({ credits: ({ event }) => event.available }) },
    CLOSED: '.closed',
  },
  states: {
    connecting: {},
    deciding: {
      always: [{ guard: 'noConsumers', target: 'waitingForConsumers' }, { guard: 'noCredits', target: 'saturated' }, { target: 'linked' }],
    },
    waitingForConsumers: {},
    linked: {},
    saturated: {},
    closed: { type: 'final' },
  },
});
