/**
 * One room (`room:<bareJid>`): the XEP-0045 lifecycle as a statechart. Joining ends with our own
 * presence (status 110, only from the room); the room can refuse us (nick conflict, password,
 * members-only, banned, …) or end our visit (kicked, banned, removed, destroyed, shut down).
 * Occupants, subject and messages are kept while joined; a stream that was not resumed rejoins.
 */
import { and, assign, enqueueActions, fromPromise, setup, type ActorRefFrom, type AnyActorRef } from 'xstate';
import type { ArchiveAppliedEvent } from '../archive/archive.types.js';
import {
  append,
  DEFAULT_MESSAGES_IN_MEMORY,
  emptyStore,
  get,
  has,
  insertAt,
  keepNewest,
  positionOf,
  prepend,
  update,
  type MessageStore,
} from '../../store/message-store.js';
import type { FeatureServices } from '../feature.js';
import { resolveStamp } from '../chat/chat.codec.js';
import { buildPing } from '../ping/ping.codec.js';
import { ownPresenceExtensions } from '../presence/own-extensions.js';
import { STATUS, buildGroupchat, buildJoin, buildLeave, buildNickChange, buildPrivateMessage, buildSubjectChange } from './muc.codec.js';
import type { GroupchatMessage, RoomInfo } from './muc.types.js';
import {
  endOf,
  fetchRoomInfo,
  isSelf,
  selfPingVerdict,
  usesArchive,
  withPresence,
  SELF_PING_AFTER,
  type SelfPingVerdict,
} from './room.tools.js';
import type { RoomContext, RoomEvent, RoomFailure, RoomInput, RoomMessage } from './room.types.js';

/** How long a join or a leave may wait for the room's answer. */
export const ROOM_ANSWER_TIMEOUT = 30_000;

export { SELF_PING_AFTER, selfPingVerdict, type SelfPingVerdict } from './room.tools.js';

export interface RoomLogicOptions {
  /** Ms of silence from a joined room before a XEP-0410 self-ping; 0 turns it off. @default SELF_PING_AFTER */
  selfPingAfter?: number;
  /** Wall clock in ms since the epoch, for message stamps. @default Date.now */
  now?: () => number;
  /** Ids for messages without one. @default crypto.randomUUID */
  newId?: () => string;
}

/** `items` after the room's messages, forgetting the oldest past the room's limit. */
function appendKept(context: RoomContext, ...items: RoomMessage[]): MessageStore<RoomMessage> {
  return keepNewest(append(context.messages, ...items), context.messagesInMemory);
}

const MAX_ERROR_REJOINS_PER_MINUTE = 3;

/** The times of our re-entries after a 333 removal within the last minute. */
function recentErrorRejoins(context: RoomContext, now: number): number[] {
  return context.errorRejoins.filter((at) => now - at < 60_000);
}

export function createRoomLogic(services: Pick<FeatureServices, 'send' | 'logger' | 'iq' | 'clock'>, options: RoomLogicOptions = {}) {
  const now = options.now ?? (() => Date.now());
  const selfPingAfter = options.selfPingAfter ?? SELF_PING_AFTER;
  const newId = options.newId ?? (() => globalThis.crypto.randomUUID());

  /** A message of ours as stored when we send it, `sending` until the room reflects it. */
  function ownMessage(context: RoomContext, id: string, body: string): RoomMessage {
    const message: RoomMessage = { id, originId: id, direction: 'out', body, stamp: new Date(now()).toISOString(), state: 'sending' };
    if (context.self !== undefined) message.nick = context.self;
    return message;
  }

  /** A groupchat message as stored: the room's stanza-id names it when there is one. */
  function toRoomMessage(context: RoomContext, message: GroupchatMessage): RoomMessage {
    const stored: RoomMessage = {
      id: message.stanzaId ?? message.originId ?? message.idAttr ?? newId(),
      direction: message.nick !== undefined && message.nick === context.self ? 'out' : 'in',
      body: message.body ?? '',
      stamp: resolveStamp(message.delay, now()),
      state: 'received',
    };
    if (message.nick !== undefined) stored.nick = message.nick;
    if (message.originId !== undefined) stored.originId = message.originId;
    if (message.stanzaId !== undefined) stored.stanzaId = message.stanzaId;
    if (message.occupantId !== undefined && context.info?.occupantIds) stored.occupantId = message.occupantId;
    return stored;
  }

  return setup({
    types: {
      context: {} as RoomContext,
      events: {} as RoomEvent,
      input: {} as RoomInput,
    },
    delays: {
      answerTimeout: ROOM_ANSWER_TIMEOUT,
      // Checked again when it fires: only silence that lasted the whole interval leads to a ping.
      selfPingCheck: ({ context }) => Math.max(1000, selfPingAfter - (services.clock.now() - context.heardAt)),
    },
    actors: {
      fetchInfo: fromPromise<RoomInfo, { room: string }>(({ input, signal }) => fetchRoomInfo(services, input.room, signal)),
      selfPing: fromPromise<SelfPingVerdict, { occupant: string }>(async ({ input, signal }) => {
        try {
          await services.iq.request(buildPing(input.occupant), { signal });
          return 'joined';
        } catch (error) {
          return selfPingVerdict(error);
        }
      }),
    },
    actions: {
      sendJoin: ({ context, system }) => {
        const options: Parameters<typeof buildJoin>[2] = { extensions: ownPresenceExtensions(system) };
        if (context.password !== undefined) options.password = context.password;
        // XEP-0045 §7.2.14: a client that wants no history "MUST set the 'maxchars' attribute to a value of "0"".
        // A room with an archive is caught up from it instead (see `catchUp`).
        if (!context.history || usesArchive(context, system)) options.history = { maxchars: 0 };
        const join = buildJoin(context.jid, context.nick, options);
        if (join instanceof Error) services.logger.warn(`MUC: cannot join ${context.jid}: ${join.message}`);
        else services.send(join);
      },
      sendLeave: ({ context, event }) => {
        const leave = buildLeave(context.jid, context.self ?? context.nick, event.type === 'room.leave' ? event.status : undefined);
        if (!(leave instanceof Error)) services.send(leave);
      },
      resetVisit: assign({ self: undefined, occupants: {}, failure: undefined, created: false, visitStart: undefined }),
      applyPresence: assign(({ context, event }) => {
        if (event.type !== 'room.presence') return {};
        const { presence } = event;
        const occupants = withPresence(context.occupants, presence, context.info?.occupantIds === true);
        if (!isSelf(presence)) return { occupants, heardAt: services.clock.now() };
        const codes = presence.statusCodes;
        const renamed = !presence.available && codes.includes(STATUS.NICK_CHANGED) ? presence.item.nick : undefined;
        return {
          occupants,
          heardAt: services.clock.now(),
          renaming: false,
          self: renamed ?? (presence.available ? presence.nick : context.self),
          nick: renamed ?? (presence.available ? presence.nick : context.nick),
          created: context.created || codes.includes(STATUS.CREATED),
          nonAnonymous: context.nonAnonymous || codes.includes(STATUS.NON_ANONYMOUS),
        };
      }),
      applyMessage: assign(({ context, event }) => {
        if (event.type !== 'room.message') return {};
        const { message } = event;
        const changes: Partial<RoomContext> = { heardAt: services.clock.now() };
        // XEP-0045 §8.1: a message with a <subject/> (and no body) changes the subject.
        if (message.subject !== undefined && message.body === undefined) {
          changes.subject = message.subject === '' ? undefined : { text: message.subject, ...(message.nick ? { by: message.nick } : {}) };
          return changes;
        }
        if (message.body === undefined) return changes;
        // Our own message reflected by the room: the copy we stored when sending becomes `sent`.
        const mine = message.nick === context.self && message.originId !== undefined ? get(context.messages, message.originId) : undefined;
        if (mine && mine.direction === 'out') {
          changes.messages = update(context.messages, mine.id, (m) => ({
            ...m,
            state: 'sent',
            ...(message.stanzaId !== undefined ? { stanzaId: message.stanzaId } : {}),
          }));
          return changes;
        }
        const stored = toRoomMessage(context, message);
        if (has(context.messages, stored.id)) return changes;
        changes.messages = appendKept(context, stored);
        if (context.visitStart === undefined) changes.visitStart = stored.id;
        // Discussion history comes with a delay stamp (XEP-0045 §7.2.15): it is not news.
        if (stored.direction === 'in' && message.delay === undefined) changes.unread = context.unread + 1;
        return changes;
      }),
      // XEP-0045 §7.5: private messages are kept with the room, marked with the other occupant's nick.
      applyPrivate: assign(({ context, event }) => {
        if (event.type !== 'room.private' || event.message.nick === undefined) return {};
        const stored: RoomMessage = { ...toRoomMessage(context, event.message), direction: 'in', private: event.message.nick };
        if (has(context.messages, stored.id)) return {};
        return { messages: appendKept(context, stored), heardAt: services.clock.now(), unread: context.unread + 1 };
      }),
      sendPrivate: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'room.sendPrivate') return;
        const stanza = buildPrivateMessage(`${context.jid}/${event.nick}`, event.body, event.id);
        if (stanza instanceof Error) return;
        enqueue(() => services.send(stanza));
        // A private message is not reflected by the room: it is `sent` once written.
        const stored: RoomMessage = { ...ownMessage(context, event.id, event.body), state: 'sent', private: event.nick };
        enqueue.assign({ messages: appendKept(context, stored) });
      }),
      recordSent: assign(({ context, event }) => {
        if (event.type !== 'room.send') return {};
        return { messages: appendKept(context, ownMessage(context, event.id, event.body)) };
      }),
      sendGroupchat: enqueueActions(({ context, event, enqueue }) => {
        if (event.type === 'room.send') {
          const stanza = buildGroupchat(context.jid, event.body, event.id);
          if (!(stanza instanceof Error)) enqueue(() => services.send(stanza));
        } else if (event.type === 'room.setSubject') {
          const stanza = buildSubjectChange(context.jid, event.subject, event.id);
          if (!(stanza instanceof Error)) enqueue(() => services.send(stanza));
        } else if (event.type === 'room.changeNick') {
          const stanza = buildNickChange(context.jid, event.nick);
          if (stanza instanceof Error) return;
          enqueue(() => services.send(stanza));
          // XEP-0410 §4: no self-ping between asking for a new nick and the room's answer.
          enqueue.assign({ renaming: true });
        }
      }),
      failWith: assign((_, failure: RoomFailure) => ({ failure, self: undefined })),
      // On each (re)join of a room with an archive: what was said while we were away, after the newest message we have.
      // (Sent with enqueue, not called from the action: the archive actor must take it as its own step.)
      catchUp: enqueueActions(({ context, enqueue, system }) => {
        const archive = system.get('archive') as AnyActorRef | undefined;
        if (archive && context.history && usesArchive(context, system)) {
          enqueue.sendTo(archive, { type: 'archive.catchUp', jid: context.jid, room: true });
        }
      }),
      // A visit's archive queries end with it (the archive actor cancels their pagers).
      cancelArchiveQueries: enqueueActions(({ context, enqueue, system }) => {
        const archive = system.get('archive') as AnyActorRef | undefined;
        if (archive) enqueue.sendTo(archive, { type: 'archive.cancel', jid: context.jid });
      }),
      applyArchived: enqueueActions(({ context, event, enqueue, system }) => {
        if (event.type !== 'room.archived') return;
        const fresh: RoomMessage[] = [];
        for (const { archiveId, stamp, message } of event.results) {
          // The room's subject changes are not history to show; our own messages are known by their origin-id.
          if (message.body === undefined || has(context.messages, archiveId)) continue;
          if (message.originId !== undefined && get(context.messages, message.originId)?.direction === 'out') continue;
          // XEP-0313 §3.5: the archive id is the room's stanza-id for the message, so it keys it as live copies are keyed.
          const { from: _from, ...read } = message;
          const live: GroupchatMessage = {
            ...read,
            room: context.jid,
            stanzaId: archiveId,
            ...(stamp !== undefined ? { delay: stamp } : {}),
          };
          fresh.push(toRoomMessage(context, live));
        }
        let messages = context.messages;
        if (event.placement === 'older') messages = prepend(messages, fresh);
        else {
          const before = context.visitStart === undefined ? -1 : positionOf(messages, context.visitStart);
          messages = keepNewest(before === -1 ? append(messages, ...fresh) : insertAt(messages, before, fresh), context.messagesInMemory);
        }
        // What the archive says was said while we were away is news, unless we knew nothing of the room yet.
        const missed = event.placement === 'newer' && context.messages.size > 0 ? fresh.filter((m) => m.direction === 'in').length : 0;
        if (messages !== context.messages) enqueue.assign({ messages, unread: context.unread + missed });
        const archive = system.get('archive') as AnyActorRef | undefined;
        const applied: ArchiveAppliedEvent = {
          type: 'archive.applied',
          queryId: event.queryId,
          added: messages.size - context.messages.size,
        };
        if (archive) enqueue.sendTo(archive, applied);
      }),
      takeJoinOptions: assign(({ context, event }) => {
        if (event.type !== 'room.join') return {};
        return {
          nick: event.nick ?? context.nick,
          password: event.password ?? context.password,
          history: event.history ?? context.history,
          nickRetries: event.nickRetries ?? context.nickRetries,
          attempts: 0,
        };
      }),
      retryNick: assign(({ context }) => {
        const attempts = context.attempts + 1;
        const base = context.nick.replace(/_\d+$/, '');
        return { attempts, nick: `${base}_${attempts + 1}` };
      }),
    },
    guards: {
      selfJoined: ({ event }) => event.type === 'room.presence' && event.presence.available && isSelf(event.presence),
      // 333: the service removed us after an error reply to something it sent us (often a stanza
      // meant for an earlier session of ours). This session is alive, so it enters again — at most
      // three times a minute, so a service that keeps doing it cannot make us loop.
      removedForAnError: ({ context, event }) =>
        event.type === 'room.presence' &&
        event.presence.statusCodes.includes(STATUS.REMOVED_ERROR) &&
        recentErrorRejoins(context, services.clock.now()).length < MAX_ERROR_REJOINS_PER_MINUTE,
      // 332: the service shut down while we were in; it is back when our next session starts.
      endedByShutdown: ({ context }) => context.failure?.reason === 'shutdown',
      selfLeft: ({ event }) =>
        event.type === 'room.presence' &&
        !event.presence.available &&
        isSelf(event.presence) &&
        !event.presence.statusCodes.includes(STATUS.NICK_CHANGED),
      canRetryNick: ({ context, event }) =>
        event.type === 'room.presenceError' && event.error.reason === 'nick-conflict' && context.attempts < context.nickRetries,
      subscribed: ({ context }) => context.subscription !== undefined,
      resumedJoined: ({ context, event }) => event.type === 'session.online' && event.resumed && context.self !== undefined,
      silentLongEnough: ({ context }) => selfPingAfter > 0 && !context.renaming && services.clock.now() - context.heardAt >= selfPingAfter,
    },
  }).createMachine({
    id: 'room',
    context: ({ input }) => ({
      jid: input.jid,
      nick: input.nick,
      self: undefined,
      password: input.password,
      history: input.history ?? true,
      nickRetries: input.nickRetries ?? 0,
      attempts: 0,
      occupants: {},
      subject: undefined,
      messages: emptyStore<RoomMessage>(),
      failure: undefined,
      created: false,
      nonAnonymous: false,
      info: undefined,
      visitStart: undefined,
      heardAt: 0,
      renaming: false,
      errorRejoins: [],
      messagesInMemory: input.messagesInMemory ?? DEFAULT_MESSAGES_IN_MEMORY,
      subscription: input.subscribedOnly ? { nodes: input.subscribedOnly.nodes } : undefined,
      unread: 0,
    }),
    initial: 'starting',
    on: {
      'session.offline': '.offline',
      'room.archived': { actions: 'applyArchived' },
      'room.markRead': { guard: ({ context }) => context.unread > 0, actions: assign({ unread: 0 }) },
      // ejabberd MucSub: out of the room, a subscription still brings its messages and presences.
      'room.message': { guard: 'subscribed', actions: 'applyMessage' },
      'room.presence': { guard: 'subscribed', actions: 'applyPresence' },
      'room.subscribed': {
        actions: assign({ subscription: ({ event }) => (event.type === 'room.subscribed' ? { nodes: event.nodes } : undefined) }),
      },
      'room.unsubscribed': { actions: assign({ subscription: undefined }) },
    },
    states: {
      // A room actor spawned for a subscription alone waits out of the room.
      starting: {
        always: [{ guard: ({ context }) => context.subscription !== undefined, target: 'left' }, { target: 'joining' }],
      },
      joining: {
        entry: 'resetVisit',
        after: { answerTimeout: { target: 'failed', actions: { type: 'failWith', params: { reason: 'timeout' } } } },
        initial: 'discovering',
        states: {
          // What the room offers (occupant ids, an archive) is known before we enter; without an answer we enter anyway.
          discovering: {
            invoke: {
              src: 'fetchInfo',
              input: ({ context }) => ({ room: context.jid }),
              onDone: { target: 'entering', actions: assign({ info: ({ event }) => event.output }) },
              // No answer: nothing is known of the room this time (an earlier visit's answer is stale).
              onError: { target: 'entering', actions: assign({ info: undefined }) },
            },
          },
          entering: { entry: 'sendJoin' },
        },
        on: {
          'room.presence': [{ guard: 'selfJoined', target: 'joined', actions: ['applyPresence', 'catchUp'] }, { actions: 'applyPresence' }],
          'room.presenceError': [
            { guard: 'canRetryNick', target: '.entering', reenter: true, actions: 'retryNick' },
            {
              target: 'failed',
              actions: {
                type: 'failWith',
                params: ({ event }) =>
                  event.type === 'room.presenceError'
                    ? { reason: event.error.reason, ...(event.error.text !== undefined ? { text: event.error.text } : {}) }
                    : { reason: 'other' },
              },
            },
          ],
          // Discussion history and the subject come before (or right after) our own presence.
          'room.message': { actions: 'applyMessage' },
          'room.leave': { target: 'left', actions: 'sendLeave' },
        },
      },
      joined: {
        initial: 'listening',
        states: {
          listening: {
            after: {
              selfPingCheck: [
                { guard: 'silentLongEnough', target: 'selfPinging' },
                { guard: () => selfPingAfter > 0, target: 'listening', reenter: true },
              ],
            },
          },
          // XEP-0410: an IQ ping to our own occupant JID tells whether the room still has us.
          selfPinging: {
            invoke: {
              src: 'selfPing',
              input: ({ context }) => ({ occupant: `${context.jid}/${context.self ?? context.nick}` }),
              onDone: [
                { guard: ({ event }) => event.output === 'not-joined', target: '#room.joining' },
                { target: 'listening', actions: assign({ heardAt: () => services.clock.now() }) },
              ],
            },
          },
        },
        on: {
          'room.presence': [
            {
              guard: and(['selfLeft', 'removedForAnError']),
              target: '#room.joining',
              actions: [
                'applyPresence',
                assign({ errorRejoins: ({ context }) => [...recentErrorRejoins(context, services.clock.now()), services.clock.now()] }),
              ],
            },
            {
              guard: 'selfLeft',
              target: 'ended',
              actions: [
                'applyPresence',
                {
                  type: 'failWith',
                  params: ({ event }) => (event.type === 'room.presence' ? endOf(event.presence) : undefined) ?? { reason: 'other' },
                },
              ],
            },
            { actions: 'applyPresence' },
          ],
          'room.message': { actions: 'applyMessage' },
          'room.send': { actions: ['recordSent', 'sendGroupchat'] },
          'room.sendPrivate': { actions: 'sendPrivate' },
          'room.private': { actions: 'applyPrivate' },
          'room.setSubject': { actions: 'sendGroupchat' },
          'room.changeNick': { actions: 'sendGroupchat' },
          'room.leave': 'leaving',
        },
      },
      leaving: {
        entry: ['sendLeave', 'cancelArchiveQueries'],
        after: { answerTimeout: 'left' },
        on: {
          // We asked to leave: a lost stream ends the visit too, and nothing is rejoined.
          'session.offline': 'left',
          'room.presence': [{ guard: 'selfLeft', target: 'left', actions: 'applyPresence' }, { actions: 'applyPresence' }],
          'room.message': { actions: 'applyMessage' },
        },
      },
      // The stream is gone; the room still counts us in until the server notices.
      offline: {
        on: {
          'session.online': [{ guard: 'resumedJoined', target: 'joined' }, { target: 'joining' }],
          'room.leave': 'left',
        },
      },
      left: {
        entry: 'resetVisit',
        on: { 'room.join': { target: 'joining', actions: 'takeJoinOptions' }, 'session.offline': {} },
      },
      // Refused, or the room ended our visit: `failure` says why.
      failed: {
        entry: 'cancelArchiveQueries',
        on: { 'room.join': { target: 'joining', actions: 'takeJoinOptions' }, 'session.offline': {} },
      },
      ended: {
        entry: 'cancelArchiveQueries',
        on: {
          'room.join': { target: 'joining', actions: 'takeJoinOptions' },
          'session.offline': {},
          'session.online': { guard: 'endedByShutdown', target: 'joining' },
        },
      },
    },
  });
}

export type RoomLogic = ReturnType<typeof createRoomLogic>;
export type RoomActor = ActorRefFrom<RoomLogic>;
