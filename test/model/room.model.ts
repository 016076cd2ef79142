import { assign, setup } from 'xstate';

/** Why a join failed or a visit ended, as the model expects the room to say it. */
export type ModelFailure =
  | 'timeout'
  | 'nick-conflict'
  | 'password-required'
  | 'not-a-member'
  | 'banned-on-join'
  | 'not-found'
  | 'service-unavailable'
  | 'kicked'
  | 'banned'
  | 'destroyed';

/** A message the room should hold: juliet's (stanza-id `s-1`) or ours (`m1`), each at most once. */
export type ModelMessage = { from: 'juliet'; occupantId: boolean } | { from: 'me'; nick: string; state: 'sending' | 'sent' };

export interface RoomModelContext {
  /** The nick asked for, or the one the room confirmed. */
  nick: string;
  /** The room confirmed our presence (status 110) in this visit. */
  self: boolean;
  /** `nickRetries` of the last join, and the retries used. */
  retries: 0 | 1;
  attempts: number;
  /** What the room's disco#info said: no answer, no occupant ids, occupant ids. */
  info: 'none' | 'plain' | 'oid';
  /** Another occupant (juliet) is in the occupant list. */
  juliet: boolean;
  failure: ModelFailure | undefined;
  messages: ModelMessage[];
  /**
   * What the last step must have sent, in order: `disco`, `join <nick>`, `leave <nick>`,
   * `groupchat m1`, `nick <nick>`. Not part of what the test's traversal tells states apart by.
   */
  sent: string[];
}

export type RoomModelEvent =
  | { type: 'JOIN' }
  /** Joins with `nickRetries: 1`. */
  | { type: 'JOIN_RETRYING' }
  | { type: 'DISCO' }
  /** The room's disco#info announces `urn:xmpp:occupant-id:0`. */
  | { type: 'DISCO_OID' }
  | { type: 'DISCO_ERROR' }
  | { type: 'OTHER_PRESENCE' }
  | { type: 'SELF_PRESENCE' }
  | { type: 'CONFLICT' }
  | { type: 'NOT_AUTHORIZED' }
  | { type: 'REGISTRATION_REQUIRED' }
  | { type: 'FORBIDDEN' }
  | { type: 'ITEM_NOT_FOUND' }
  | { type: 'SERVICE_UNAVAILABLE' }
  | { type: 'JOIN_TIMEOUT' }
  | { type: 'GROUPCHAT' }
  | { type: 'SEND' }
  | { type: 'REFLECT' }
  | { type: 'LEAVE' }
  /** Our unavailable presence (110) answering our leave. */
  | { type: 'LEFT' }
  | { type: 'LEAVE_TIMEOUT' }
  | { type: 'KICKED' }
  | { type: 'BANNED' }
  | { type: 'DESTROYED' }
  /** muc.changeNick, then the room's 303 for our old nick and our presence under the new one. */
  | { type: 'CHANGE_NICK' }
  | { type: 'OFFLINE' }
  | { type: 'ONLINE_RESUMED' }
  | { type: 'ONLINE_NEW' }
  /** session.offline then session.online (not resumed) while out of the room. */
  | { type: 'SESSION_CYCLE' }
  /** Our presence (110) from the room's bare JID. */
  | { type: 'SPOOF_BARE' }
  /** Our presence (110) from another room of the same service. */
  | { type: 'SPOOF_OTHER_ROOM' }
  /** Our presence (110) from a room of the same name on another service. */
  | { type: 'SPOOF_OTHER_SERVICE' }
  /** A groupchat message (with our origin-id) from another room. */
  | { type: 'SPOOF_MESSAGE' };

export const ROOM_MODEL_EVENTS: RoomModelEvent['type'][] = [
  'JOIN',
  'JOIN_RETRYING',
  'DISCO',
  'DISCO_OID',
  'DISCO_ERROR',
  'OTHER_PRESENCE',
  'SELF_PRESENCE',
  'CONFLICT',
  'NOT_AUTHORIZED',
  'REGISTRATION_REQUIRED',
  'FORBIDDEN',
  'ITEM_NOT_FOUND',
  'SERVICE_UNAVAILABLE',
  'JOIN_TIMEOUT',
  'GROUPCHAT',
  'SEND',
  'REFLECT',
  'LEAVE',
  'LEFT',
  'LEAVE_TIMEOUT',
  'KICKED',
  'BANNED',
  'DESTROYED',
  'CHANGE_NICK',
  'OFFLINE',
  'ONLINE_RESUMED',
  'ONLINE_NEW',
  'SESSION_CYCLE',
  'SPOOF_BARE',
  'SPOOF_OTHER_ROOM',
  'SPOOF_OTHER_SERVICE',
  'SPOOF_MESSAGE',
];

/** The nick a nick change moves to: between two base nicks, so the model stays finite. */
export const otherNick = (nick: string) => (nick.replace(/_\d+$/, '') === 'romeo' ? 'montague' : 'romeo');

const SPOOFS = {
  SPOOF_BARE: { actions: 'nothingSent' },
  SPOOF_OTHER_ROOM: { actions: 'nothingSent' },
  SPOOF_OTHER_SERVICE: { actions: 'nothingSent' },
  SPOOF_MESSAGE: { actions: 'nothingSent' },
} as const;

const refusal = (failure: ModelFailure) => ({ target: '#roomModel.failed', actions: { type: 'refuse' as const, params: { failure } } });

/**
 * Abstract model of one room's lifecycle as the app sees it through `connectRoom` (XEP-0045 §7):
 * joining (discovering the room, then entering it) → joined → leaving → left; refusals as
 * `failed`, the end of a visit as `ended`, each with its reason; offline and back. Spoofed
 * stanzas are self-loops everywhere: they must change nothing. No delays or actors: time is an
 * event here and SimulatedClock time in the real actors.
 *
 * Left out on purpose (the real machine differs, see the test file): a session drop while
 * `leaving`, and a disco#info error after a visit whose disco#info announced occupant ids.
 */
export const roomModel = setup({
  types: { context: {} as RoomModelContext, events: {} as RoomModelEvent },
  guards: {
    canRetry: ({ context }) => context.attempts < context.retries,
    // See above: after an answer with occupant ids, an error leaves the old answer in place.
    noStaleInfo: ({ context }) => context.info !== 'oid',
    noOwnMessage: ({ context }) => !context.messages.some((m) => m.from === 'me'),
    ownMessage: ({ context }) => context.messages.some((m) => m.from === 'me'),
    confirmed: ({ context }) => context.self,
  },
  actions: {
    nothingSent: assign({ sent: [] }),
    refuse: assign((_, params: { failure: ModelFailure }) => ({ failure: params.failure, sent: [] as string[] })),
    join: assign(({ event }) => ({
      nick: 'romeo',
      self: false,
      retries: event.type === 'JOIN_RETRYING' ? 1 : 0,
      attempts: 0,
      juliet: false,
      failure: undefined,
      sent: ['disco'],
    })),
    rejoin: assign({ self: false, juliet: false, failure: undefined, sent: ['disco'] }),
    enter: assign(({ context }) => ({ sent: [`join ${context.nick}`] })),
    leave: assign(({ context }) => ({ sent: [`leave ${context.nick}`] })),
    out: assign({ self: false, juliet: false, failure: undefined }),
    // juliet's message carries the room's stanza-id `s-1`: a second copy (history after a rejoin) is the same message.
    receive: assign(({ context }) => ({
      messages: context.messages.some((m) => m.from === 'juliet')
        ? context.messages
        : [...context.messages, { from: 'juliet' as const, occupantId: context.info === 'oid' }],
      sent: [] as string[],
    })),
  },
}).createMachine({
  id: 'roomModel',
  context: { nick: 'romeo', self: false, retries: 0, attempts: 0, info: 'none', juliet: false, failure: undefined, messages: [], sent: [] },
  initial: 'idle',
  states: {
    // No room actor yet.
    idle: {
      on: {
        JOIN: { target: 'joining', actions: 'join' },
        JOIN_RETRYING: { target: 'joining', actions: 'join' },
        ...SPOOFS,
      },
    },
    joining: {
      initial: 'discovering',
      on: {
        LEAVE: { target: 'left', actions: ['leave', 'out'] },
        OFFLINE: { target: 'offline', actions: 'nothingSent' },
        ...SPOOFS,
      },
      states: {
        discovering: {
          on: {
            DISCO: { target: 'entering', actions: [assign({ info: 'plain' }), 'enter'] },
            DISCO_OID: { target: 'entering', actions: [assign({ info: 'oid' }), 'enter'] },
            DISCO_ERROR: { guard: 'noStaleInfo', target: 'entering', actions: [assign({ info: 'none' }), 'enter'] },
            // The disco#info request times out first (15 s): the join goes out then, and the room never answers it.
            JOIN_TIMEOUT: {
              guard: 'noStaleInfo',
              target: '#roomModel.failed',
              actions: assign(({ context }) => ({ info: 'none' as const, failure: 'timeout' as const, sent: [`join ${context.nick}`] })),
            },
          },
        },
        entering: {
          on: {
            OTHER_PRESENCE: { actions: assign({ juliet: true, sent: [] }) },
            SELF_PRESENCE: { target: '#roomModel.joined', actions: assign({ self: true, sent: [] }) },
            GROUPCHAT: { actions: 'receive' },
            CONFLICT: [
              {
                guard: 'canRetry',
                target: 'entering',
                reenter: true,
                actions: [
                  assign(({ context }) => ({
                    attempts: context.attempts + 1,
                    nick: `${context.nick.replace(/_\d+$/, '')}_${context.attempts + 2}`,
                  })),
                  'enter',
                ],
              },
              refusal('nick-conflict'),
            ],
            NOT_AUTHORIZED: refusal('password-required'),
            REGISTRATION_REQUIRED: refusal('not-a-member'),
            FORBIDDEN: refusal('banned-on-join'),
            ITEM_NOT_FOUND: refusal('not-found'),
            SERVICE_UNAVAILABLE: refusal('service-unavailable'),
            JOIN_TIMEOUT: { target: '#roomModel.failed', actions: assign({ failure: 'timeout', sent: [] }) },
          },
        },
      },
    },
    joined: {
      on: {
        OTHER_PRESENCE: { actions: assign({ juliet: true, sent: [] }) },
        GROUPCHAT: { actions: 'receive' },
        SEND: {
          guard: 'noOwnMessage',
          actions: assign(({ context }) => ({
            messages: [...context.messages, { from: 'me' as const, nick: context.nick, state: 'sending' as const }],
            sent: ['groupchat m1'],
          })),
        },
        REFLECT: {
          guard: 'ownMessage',
          actions: assign(({ context }) => ({
            messages: context.messages.map((m) => (m.from === 'me' ? { ...m, state: 'sent' as const } : m)),
            sent: [],
          })),
        },
        CHANGE_NICK: { actions: assign(({ context }) => ({ nick: otherNick(context.nick), sent: [`nick ${otherNick(context.nick)}`] })) },
        LEAVE: { target: 'leaving', actions: 'leave' },
        KICKED: { target: 'ended', actions: assign({ self: false, failure: 'kicked', sent: [] }) },
        BANNED: { target: 'ended', actions: assign({ self: false, failure: 'banned', sent: [] }) },
        DESTROYED: { target: 'ended', actions: assign({ self: false, failure: 'destroyed', sent: [] }) },
        OFFLINE: { target: 'offline', actions: 'nothingSent' },
        ...SPOOFS,
      },
    },
    leaving: {
      on: {
        OTHER_PRESENCE: { actions: assign({ juliet: true, sent: [] }) },
        GROUPCHAT: { actions: 'receive' },
        LEFT: { target: 'left', actions: ['out', 'nothingSent'] },
        LEAVE_TIMEOUT: { target: 'left', actions: ['out', 'nothingSent'] },
        ...SPOOFS,
      },
    },
    // The room keeps what it had; a resumed stream that was joined is joined again, anything else rejoins.
    offline: {
      on: {
        ONLINE_RESUMED: [
          { guard: 'confirmed', target: 'joined', actions: 'nothingSent' },
          { target: 'joining', actions: 'rejoin' },
        ],
        ONLINE_NEW: { target: 'joining', actions: 'rejoin' },
        LEAVE: { target: 'left', actions: ['out', 'nothingSent'] },
        ...SPOOFS,
      },
    },
    left: {
      on: {
        JOIN: { target: 'joining', actions: 'join' },
        JOIN_RETRYING: { target: 'joining', actions: 'join' },
        SESSION_CYCLE: { actions: 'nothingSent' },
        ...SPOOFS,
      },
    },
    failed: {
      on: {
        JOIN: { target: 'joining', actions: 'join' },
        JOIN_RETRYING: { target: 'joining', actions: 'join' },
        SESSION_CYCLE: { actions: 'nothingSent' },
        ...SPOOFS,
      },
    },
    ended: {
      on: {
        JOIN: { target: 'joining', actions: 'join' },
        JOIN_RETRYING: { target: 'joining', actions: 'join' },
        SESSION_CYCLE: { actions: 'nothingSent' },
        ...SPOOFS,
      },
    },
  },
});
