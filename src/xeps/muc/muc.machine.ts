/**
 * The `muc` manager: one `room:<bareJid>` child per room joined, spawned on the first
 * `muc.join`. It passes each room its presences and messages (only rooms we are in get any),
 * the session's comings and goings, and the app's commands; invitations are kept for the app.
 */
import { assign, enqueueActions, setup, type ActorRefFrom } from 'xstate';
import type { FeatureInput, FeatureServices } from '../feature.js';
import type { MucContext, MucEvent } from './muc.events.js';
import type { RoomInvitation } from './muc.types.js';
import type { RoomEvent } from './room.types.js';
import { createRoomLogic, type RoomLogicOptions } from './room.machine.js';

/** The child id (and system id) of a room's actor. */
export const roomId = (room: string): `room:${string}` => `room:${room}`;

/** Invitations kept for the app at most (a flood of them drops the oldest). */
export const MAX_INVITATIONS = 50;

/** What `room:<jid>` gets for a routed stanza or an app command, and which room that is. */
function roomEventOf(event: MucEvent): { room: string; event: RoomEvent } | undefined {
  switch (event.type) {
    case 'muc.presence':
      return { room: event.presence.room, event: { type: 'room.presence', presence: event.presence } };
    case 'muc.presenceError':
      return { room: event.error.room, event: { type: 'room.presenceError', error: event.error } };
    case 'muc.message':
      return { room: event.message.room, event: { type: 'room.message', message: event.message } };
    case 'muc.private':
      return { room: event.message.room, event: { type: 'room.private', message: event.message } };
    case 'muc.leave':
      return {
        room: event.room,
        event: event.status === undefined ? { type: 'room.leave' } : { type: 'room.leave', status: event.status },
      };
    case 'muc.send':
      return { room: event.room, event: { type: 'room.send', body: event.body, id: event.id } };
    case 'muc.setSubject':
      return { room: event.room, event: { type: 'room.setSubject', subject: event.subject, id: event.id } };
    case 'muc.changeNick':
      return { room: event.room, event: { type: 'room.changeNick', nick: event.nick } };
    case 'muc.sendPrivate':
      return { room: event.room, event: { type: 'room.sendPrivate', nick: event.nick, body: event.body, id: event.id } };
    case 'muc.unsubscribed':
      return { room: event.room, event: { type: 'room.unsubscribed' } };
    case 'muc.markRead':
      return { room: event.room, event: { type: 'room.markRead' } };
    default:
      return undefined;
  }
}

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
          input: { jid: event.room, nick: event.nick, messagesInMemory: context.messagesInMemory, ...options },
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
          input: { jid: event.room, nick: event.nick, messagesInMemory: context.messagesInMemory, subscribedOnly: { nodes: event.nodes } },
        });
        enqueue.assign({ rooms: [...context.rooms, event.room] });
      }),
      // Only rooms we are in hear from the network: a stanza for any other JID is dropped here.
      toRoom: enqueueActions(({ event, enqueue, self }) => {
        const routed = roomEventOf(event);
        const child = routed && self.getSnapshot().children[roomId(routed.room)];
        if (routed && child) enqueue.sendTo(child, routed.event);
      }),
      // The routed events of one socket read (a room's presences on joining, a burst of messages): one manager step.
      routeBatch: enqueueActions(({ context, event, enqueue, self }) => {
        if (event.type !== 'muc.batch') return;
        const children = self.getSnapshot().children;
        const invitations: RoomInvitation[] = [];
        for (const routed of event.events) {
          if (routed.type === 'muc.invitation') {
            invitations.push(routed.invitation);
            enqueue(() => services.notify({ type: 'room.invitation', invitation: routed.invitation }));
            continue;
          }
          const target = roomEventOf(routed);
          const child = target && children[roomId(target.room)];
          if (target && child) enqueue.sendTo(child, target.event);
        }
        if (invitations.length > 0) enqueue.assign({ invitations: [...context.invitations, ...invitations].slice(-MAX_INVITATIONS) });
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
    context: ({ input }) => ({ me: input.jid, rooms: [], invitations: [], messagesInMemory: input.messagesInMemory }),
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
      'muc.markRead': { actions: 'toRoom' },
      'muc.invitation': { actions: ['keepInvitation', 'notifyInvitation'] },
      'muc.batch': { actions: 'routeBatch' },
    },
  });
}

export type MucLogic = ReturnType<typeof createMucLogic>;
export type MucActor = ActorRefFrom<MucLogic>;
