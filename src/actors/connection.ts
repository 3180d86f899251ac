/**
 * A bus connection as an actor: its states are what a user sees on the dashboard, and it is
 * driven only by the bus's status events. Other actors listen to what it emits: `lost` when the
 * connection drops (core NATS drops what is published meanwhile), `reconnected` when it is back
 * (time to re-send anything unacknowledged), `closed` at the end.
 */
import { assign, createActor, emit, setup, type ActorRefFrom, type InspectionEvent } from 'xstate';
import type { Bus, BusStatus, BusStatusEvent } from '../transport/bus';

export type ConnectionState = BusStatus;

export type ConnectionEvent =
  | { type: 'CONNECTED'; server?: string }
  | { type: 'DISCONNECTED'; server?: string }
  | { type: 'RECONNECTING' }
  | { type: 'CLOSED'; reason?: string };

export type ConnectionEmitted =
  | { type: 'lost'; server?: string }
  | { type: 'reconnected'; server?: string }
  | { type: 'closed'; reason?: string };

export interface ConnectionContext {
  server: string | undefined;
  disconnects: number;
  reconnects: number;
  closedReason: string | undefined;
}

export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    emitted: {} as ConnectionEmitted,
  },
  actions: {
    rememberServer: assign({
      server: ({ context, event }) => ('server' in event && event.server !== undefined ? event.server : context.server),
    }),
    countDisconnect: assign({ disconnects: ({ context }) => context.disconnects + 1 }),
    countReconnect: assign({ reconnects: ({ context }) => context.reconnects + 1 }),
    rememberReason: assign({ closedReason: ({ event }) => (event.type === 'CLOSED' ? event.reason : undefined) }),
    announceLost: emit(({ event }) => ({ type: 'lost' as const, server: 'server' in event ? event.server : undefined })),
    announceReconnected: emit(({ event }) => ({ type: 'reconnected' as const, server: 'server' in event ? event.server : undefined })),
    announceClosed: emit(({ event }) => ({ type: 'closed' as const, reason: event.type === 'CLOSED' ? event.reason : undefined })),
  },
}).createMachine({
  id: 'connection',
  context: { server: undefined, disconnects: 0, reconnects: 0, closedReason: undefined },
  initial: 'connecting',
  on: {
    CLOSED: { target: '.closed', actions: ['rememberReason', 'announceClosed'] },
  },
  states: {
    connecting: {
      on: { CONNECTED: { target: 'connected', actions: 'rememberServer' } },
    },
    connected: {
      on: {
        DISCONNECTED: { target: 'disconnected', actions: ['rememberServer', 'countDisconnect', 'announceLost'] },
        RECONNECTING: { target: 'reconnecting', actions: ['countDisconnect', 'announceLost'] },
      },
    },
    disconnected: {
      on: {
        RECONNECTING: 'reconnecting',
        CONNECTED: { target: 'connected', actions: ['rememberServer', 'countReconnect', 'announceReconnected'] },
      },
    },
    reconnecting: {
      on: {
        DISCONNECTED: 'disconnected',
        CONNECTED: { target: 'connected', actions: ['rememberServer', 'countReconnect', 'announceReconnected'] },
      },
    },
    closed: { type: 'final' },
  },
});

export type ConnectionActor = ActorRefFrom<typeof connectionMachine>;

/** The machine event for a bus status event (`connecting` changes nothing). */
export function connectionEvent(event: BusStatusEvent): ConnectionEvent | undefined {
  switch (event.status) {
    case 'connected':
      return { type: 'CONNECTED', server: event.detail };
    case 'disconnected':
      return { type: 'DISCONNECTED', server: event.detail };
    case 'reconnecting':
      return { type: 'RECONNECTING' };
    case 'closed':
      return { type: 'CLOSED', reason: event.detail };
    default:
      return undefined;
  }
}

export interface WatchedConnection {
  readonly actor: ConnectionActor;
  /** Stops following the bus and stops the actor. */
  stop(): void;
}

/**
 * Starts a connection actor that follows `bus` from its current status on. `inspect` receives
 * xstate's inspection events (the dashboard's feed).
 */
export function watchConnection(
  bus: Pick<Bus, 'status' | 'onStatus'>,
  options: { inspect?: (event: InspectionEvent) => void } = {},
): WatchedConnection {
  const actor = createActor(connectionMachine, { inspect: options.inspect });
  // The machine cannot fail, but an unobserved actor error would crash the process.
  actor.subscribe({ error: () => undefined });
  actor.start();
  const follow = (event: BusStatusEvent): void => {
    const machineEvent = connectionEvent(event);
    if (machineEvent !== undefined) actor.send(machineEvent);
  };
  follow({ status: bus.status });
  const unfollow = bus.onStatus(follow);
  return {
    actor,
    stop: () => {
      unfollow();
      actor.stop();
    },
  };
}
