import { createActor } from 'xstate';
import { connectionMachine, watchConnection, type ConnectionEmitted } from '../../src/actors/connection';
import type { BusStatus, BusStatusEvent } from '../../src/transport/bus';
import { NatsBus } from '../../src/transport/nats-bus';
import { NatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait-for';

/** Just enough of a bus to drive the actor: a status and status listeners. */
class FakeConnection {
  status: BusStatus = 'connected';
  private readonly listeners: ((event: BusStatusEvent) => void)[] = [];

  onStatus(listener: (event: BusStatusEvent) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  change(status: BusStatus, detail?: string): void {
    this.status = status;
    for (const listener of [...this.listeners]) listener({ status, detail });
  }
}

function recordEmitted(watched: ReturnType<typeof watchConnection>): ConnectionEmitted[] {
  const emitted: ConnectionEmitted[] = [];
  for (const type of ['lost', 'reconnected', 'closed'] as const) watched.actor.on(type, (event) => emitted.push(event));
  return emitted;
}

describe('connection actor', () => {
  test('starts in connecting until the bus says connected', () => {
    const actor = createActor(connectionMachine).start();
    expect(actor.getSnapshot().value).toBe('connecting');
    actor.send({ type: 'CONNECTED', server: 'nats://a:1' });
    expect(actor.getSnapshot().value).toBe('connected');
    expect(actor.getSnapshot().context.server).toBe('nats://a:1');
  });

  test('follows a bus through a disconnect and reconnect, emitting lost and reconnected', () => {
    const bus = new FakeConnection();
    const watched = watchConnection(bus);
    const emitted = recordEmitted(watched);
    const states: string[] = [];
    watched.actor.subscribe((snapshot) => states.push(String(snapshot.value)));
    expect(watched.actor.getSnapshot().value).toBe('connected');
    bus.change('disconnected', 'nats://a:1');
    bus.change('reconnecting');
    bus.change('connected', 'nats://b:2');
    expect(states).toEqual(['disconnected', 'reconnecting', 'connected']);
    expect(emitted).toEqual([{ type: 'lost', server: 'nats://a:1' }, { type: 'reconnected', server: 'nats://b:2' }]);
    expect(watched.actor.getSnapshot().context).toMatchObject({ server: 'nats://b:2', disconnects: 1, reconnects: 1 });
    watched.stop();
  });

  test('closed is final and carries the reason', () => {
    const bus = new FakeConnection();
    const watched = watchConnection(bus);
    const emitted = recordEmitted(watched);
    bus.change('closed', 'max reconnects');
    bus.change('connected');
    expect(watched.actor.getSnapshot().status).toBe('done');
    expect(watched.actor.getSnapshot().context.closedReason).toBe('max reconnects');
    expect(emitted).toEqual([{ type: 'closed', reason: 'max reconnects' }]);
  });

  test('stop() stops following the bus', () => {
    const bus = new FakeConnection();
    const watched = watchConnection(bus);
    watched.stop();
    bus.change('disconnected');
    expect(watched.actor.getSnapshot().value).toBe('connected');
  });

  test('inspection events flow to an inspector', () => {
    const bus = new FakeConnection();
    const inspected: string[] = [];
    const watched = watchConnection(bus, { inspect: (event) => inspected.push(event.type) });
    bus.change('reconnecting');
    expect(inspected).toContain('@xstate.snapshot');
    watched.stop();
  });

  test('drives off a real NatsBus across a server restart', async () => {
    const server = await NatsServer.start();
    const bus = await NatsBus.connect({ servers: server.url, reconnectTimeWait: 50, connection: { reconnectJitter: 0 } });
    try {
      const watched = watchConnection(bus);
      const emitted = recordEmitted(watched);
      await server.stop();
      await waitFor(() => watched.actor.getSnapshot().value !== 'connected', 5000, 'the actor to see the disconnect');
      await server.launch();
      await waitFor(() => watched.actor.getSnapshot().value === 'connected', 10_000, 'the actor to see the reconnect');
      expect(emitted.map((e) => e.type)).toEqual(['lost', 'reconnected']);
      await bus.close();
      expect(watched.actor.getSnapshot().status).toBe('done');
    } finally {
      await bus.close();
      await server.stop();
    }
  });
});
