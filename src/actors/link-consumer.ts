import { setup } from 'xstate';

/**
 * What a user sees of a link's consumer (`fromNats(subject, { credits })`): joining its queue
 * group, receiving, saturated (every credit holds a message its pipeline has not accepted yet),
 * leaving (giving back what it holds), stopped.
 */
export type LinkConsumerState = 'joining' | 'receiving' | 'saturated' | 'leaving' | 'stopped';

export type LinkConsumerEvent = { type: 'JOINED' } | { type: 'SATURATED' } | { type: 'UNSATURATED' } | { type: 'LEAVE' } | { type: 'LEFT' };

export const linkConsumerMachine = setup({
  types: { events: {} as LinkConsumerEvent },
}).createMachine({
  id: 'linkConsumer',
  initial: 'joining',
  on: { LEAVE: '.leaving', LEFT: '.stopped' },
  states: {
    joining: { on: { JOINED: 'receiving' } },
    receiving: { on: { SATURATED: 'saturated' } },
    saturated: { on: { UNSATURATED: 'receiving' } },
    leaving: {},
    stopped: { type: 'final' },
  },
});
