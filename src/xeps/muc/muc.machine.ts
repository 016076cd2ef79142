/**
 * The `muc` manager: one `room:<bareJid>` child per room joined, spawned on the first
 * `muc.join`. It passes each room its presences and messages (only rooms we are in get any),
 * the session's comings and goings, and the app's commands; invitations are kept for the app.
 */
import { assign, enqueueActions, setup, type ActorRefFrom } from 'xstate';
import type { FeatureInput, FeatureServices } from '../feature.js';
import type { MucContext, MucEvent } from './muc.events.js';
import { createRoomLogic, type RoomLogicOptions } from './room.machine.js';

/** The child id (and system id) of a room's actor. */
export const roomId = (room: string): `room:${string}` => `room:${room}`;

/** Invitations kept for the app at most (a flood of them drops the oldest). */
export const MAX_INVITATIONS = 50;

export function createMucLogic(services: FeatureServices, options: RoomLogicOptions = {}) {
  return setup({
    types: {
      context: {} as MucContext,
      events: {} as MucEvent,
      input: {} as FeatureInput,
    },
    actors: { room: createRoomLogic(services, options) },
    actions: {
      join: enqueueActions(({ context, event, enqueue, self }) => {
        if (event.type !== 'muc.join') return;
        const child = self.getSnapshot().children[roomId(event.room)];
        const options = {
          ...(event.password !== undefined ? { password: event.password } : {}),
          ...(event.history !== undefined ? { history: event.history } : {}),
          ...(event.nickRetries !== undefined ? { nickRetries: event.nickRetries } : {}),
        };
        if (child) {
          enqueue.sendTo(child, { type: 'room.join', nick: event.nick, ...options });
          return;
        }
        enqueue.spawnChild('room', {
          id: roomId(event.room),
          systemId: roomId(event.room),
          input: { jid: event.room, nick: event.nick, ...options },
        });
        enqueue.assign({ rooms: [...context.rooms, event.room] });
      }),
      subscribed: enqueueActions(({ context, event, enqueue, self }) => {
        if (event.type !== 'muc.subscribed') return;
        const child = self.getSnapshot().children[roomId(event.room)];
        if (child) {
          enqueue.sendTo(child, { type: 'room.subscribed', nodes: event.nodes });
          return;
        }
        enqueue.spawnChild('room', {
          id: roomId(event.room),
          systemId: roomId(event.room),
          input: { jid: event.room, nick: event.nick, subscribedOnly: { nodes: event.nodes } },
        });
        enqueue.assign({ rooms: [...context.rooms, event.room] });
      }),
      // Only rooms we are in hear from the network: a stanza for any other JID is dropped here.
      toRoom: enqueueActions(({ event, enqueue, self }) => {
        const room =
          event.type === 'muc.presence'
            ? event.presence.room
            : event.type === 'muc.presenceError'
              ? event.error.room
              : event.type === 'muc.message' || event.type === 'muc.private'
                ? event.message.room
                : 'room' in event
                  ? event.room
                  : undefined;
        const child = room === undefined ? undefined : self.getSnapshot().children[roomId(room)];
        if (!child) return;
        switch (event.type) {
          case 'muc.presence':
            enqueue.sendTo(child, { type: 'room.presence', presence: event.presence });
            break;
          case 'muc.presenceError':
            enqueue.sendTo(child, { type: 'room.presenceError', error: event.error });
            break;
          case 'muc.message':
            enqueue.sendTo(child, { type: 'room.message', message: event.message });
            break;
          case 'muc.leave':
            enqueue.sendTo(child, event.status === undefined ? { type: 'room.leave' } : { type: 'room.leave', status: event.status });
            break;
          case 'muc.send':
            enqueue.sendTo(child, { type: 'room.send', body: event.body, id: event.id });
            break;
          case 'muc.setSubject':
            enqueue.sendTo(child, { type: 'room.setSubject', subject: event.subject, id: event.id });
            break;
          case 'muc.changeNick':
            enqueue.sendTo(child, { type: 'room.changeNick', nick: event.nick });
            break;
          case 'muc.private':
            enqueue.sendTo(child, { type: 'room.private', message: event.message });
            break;
          case 'muc.sendPrivate':
            enqueue.sendTo(child, { type: 'room.sendPrivate', nick: event.nick, body: event.body, id: event.id });
            break;
          case 'muc.unsubscribed':
            enqueue.sendTo(child, { type: 'room.unsubscribed' });
            break;
        }
      }),
      toAllRooms: enqueueActions(({ event, enqueue, self }) => {
        if (event.type !== 'session.online' && event.type !== 'session.offline') return;
        for (const child of Object.values(self.getSnapshot().children)) if (child) enqueue.sendTo(child, event);
      }),
      keepInvitation: assign({
        invitations: ({ context, event }) =>
          event.type === 'muc.invitation' ? [...context.invitations, event.invitation].slice(-MAX_INVITATIONS) : context.invitations,
      }),
      notifyInvitation: ({ event }) => {
        if (event.type === 'muc.invitation') services.notify({ type: 'room.invitation', invitation: event.invitation });
      },
      rememberJid: assign({ me: ({ context, event }) => (event.type === 'session.online' ? event.jid : context.me) }),
    },
  }).createMachine({
    id: 'muc',
    context: ({ input }) => ({ me: input.jid, rooms: [], invitations: [] }),
    on: {
      'session.online': { actions: ['rememberJid', 'toAllRooms'] },
      'session.offline': { actions: 'toAllRooms' },
      'muc.join': { actions: 'join' },
      'muc.presence': { actions: 'toRoom' },
      'muc.presenceError': { actions: 'toRoom' },
      'muc.message': { actions: 'toRoom' },
      'muc.leave': { actions: 'toRoom' },
      'muc.send': { actions: 'toRoom' },
      'muc.setSubject': { actions: 'toRoom' },
      'muc.changeNick': { actions: 'toRoom' },
      'muc.subscribed': { actions: 'subscribed' },
      'muc.private': { actions: 'toRoom' },
      'muc.sendPrivate': { actions: 'toRoom' },
      'muc.unsubscribed': { actions: 'toRoom' },
      'muc.invitation': { actions: ['keepInvitation', 'notifyInvitation'] },
    },
  });
}

export type MucLogic = ReturnType<typeof createMucLogic>;
export type MucActor = ActorRefFrom<MucLogic>;
