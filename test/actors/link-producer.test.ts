import { createActor } from 'xstate';
import { linkProducerMachine } from '../../src/actors/link-producer';

describe('link producer machine', () => {
  test('connecting, then waiting for consumers, linked, saturated and back, closed', () => {
    const actor = createActor(linkProducerMachine).start();
    const states: unknown[] = [actor.getSnapshot().value];
    actor.subscribe((snapshot) => states.push(snapshot.value));
    actor.send({ type: 'CONNECTED' });
    actor.send({ type: 'CONSUMERS', present: true });
    actor.send({ type: 'CREDITS', available: false });
    actor.send({ type: 'CONSUMERS', present: false });
    actor.send({ type: 'CONSUMERS', present: true });
    actor.send({ type: 'CREDITS', available: true });
    actor.send({ type: 'CLOSED' });
    expect(states).toEqual(['connecting', 'waitingForConsumers', 'linked', 'saturated', 'waitingForConsumers', 'saturated', 'linked', 'closed']);
    expect(actor.getSnapshot().status).toBe('done');
  });
});
