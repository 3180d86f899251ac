import { createActor } from 'xstate';
import { linkConsumerMachine } from '../../src/actors/link-consumer';

describe('link consumer machine', () => {
  test('joining, receiving, saturated and back, leaving, stopped', () => {
    const actor = createActor(linkConsumerMachine).start();
    const states: unknown[] = [actor.getSnapshot().value];
    actor.subscribe((snapshot) => states.push(snapshot.value));
    for (const type of ['JOINED', 'SATURATED', 'UNSATURATED', 'SATURATED', 'LEAVE', 'LEFT'] as const) actor.send({ type });
    expect(states).toEqual(['joining', 'receiving', 'saturated', 'receiving', 'saturated', 'leaving', 'stopped']);
  });

  test('a consumer that stops before it joined goes straight to leaving', () => {
    const actor = createActor(linkConsumerMachine).start();
    actor.send({ type: 'LEAVE' });
    expect(actor.getSnapshot().value).toBe('leaving');
    actor.send({ type: 'JOINED' });
    expect(actor.getSnapshot().value).toBe('leaving');
  });
});
