/**
 * XEP-0045 Multi-User Chat codec, the occupant side: joining, leaving, nick changes, room and
 * private messages, subject changes, occupant presence, join errors and room messages. Owner and
 * admin requests and room discovery are in muc-admin.codec.ts, invitations in muc-invite.codec.ts,
 * the shared checks in muc-common.codec.ts; all are re-exported from here.
 *
 * Quotes are from XEP-0045 1.35.5 (the text of the 1.34.x sections quoted here is unchanged);
 * section numbers are given with the anchor of the section (`#enter-pw`). Pure and synchronous;
 * never throws: builders return an `XmppAdapterError('invalid-argument')` for unusable
 * arguments, parsers a `StanzaParseError` for input the protocol does not allow.
 */
import { xml, type Element } from '@xmpp/xml';
import { XmppAdapterError } from '../../errors.js';
import { NS_STANZAS } from '../../wire/namespaces.js';
import { boundedText, parseDateTime } from '../forms.js';
import { MAX_BODY_LENGTH, NS_SID, delayStampOf, originIdOf, trustedStanzaId, usableId } from '../chat/chat.codec.js';
import { StanzaParseError } from '../iq-request.js';
import {
  MAX_PASSWORD_LENGTH,
  MAX_REASON_LENGTH,
  MAX_SUBJECT_LENGTH,
  NS_MUC,
  NS_MUC_USER,
  invalidArgument,
  occupantIdOf,
  occupantOf,
  parseItem,
  reasonOf,
  roomJidOf,
  statusCodesOf,
  usableNick,
} from './muc-common.codec.js';
import type { GroupchatMessage, OccupantPresence, RoomDestroyed, RoomFailureReason, RoomPresenceError } from './muc.types.js';

export * from './muc-common.codec.js';
export * from './muc-admin.codec.js';
export * from './muc-invite.codec.js';

const MAX_INT = 2 ** 31 - 1;
const refuse = (why: string) => new StanzaParseError(why);
const shown = (value: unknown) => String(value).slice(0, 80);

/** `room/nick` for a usable room and nick, else why not. */
function occupantJid(room: string, nick: string): string | XmppAdapterError {
  const bare = roomJidOf(room);
  if (bare === undefined) return invalidArgument(`not a room JID: ${shown(room)}`);
  if (usableNick(nick) === undefined) return invalidArgument(`not a usable nick: ${shown(nick)}`);
  return `${bare}/${nick}`;
}

/** An optional text argument: undefined or '' is absent, a longer one than `max` is unusable. */
function optionalText(value: string | undefined, max: number, what: string): string | undefined | XmppAdapterError {
  if (value === undefined || value === '') return undefined;
  return typeof value === 'string' && value.length <= max ? value : invalidArgument(`${what} is longer than ${max} characters`);
}

// ---------------------------------------------------------------------------------------------
// Presence we send
// ---------------------------------------------------------------------------------------------

/** XEP-0045 §7.2.14 (#enter-managehistory): how much discussion history to ask for on entering. */
export interface JoinHistory {
  maxchars?: number;
  maxstanzas?: number;
  seconds?: number;
  /** A XEP-0082 DateTime. */
  since?: string;
}

export interface JoinOptions {
  password?: string;
  history?: JoinHistory;
  /** Further children of the presence, after the MUC `<x/>` (our caps, the XEP-0153 update child). */
  extensions?: readonly Element[];
}

/**
 * The presence that enters (or creates) a room as `nick`.
 * §7.2.1 (#enter-muc): "MUC clients MUST signal their ability to speak the MUC protocol by including
 * in the initial presence stanza an empty <x/> element qualified by the
 * 'http://jabber.org/protocol/muc' namespace" and "The presence stanza used to join a room MUST NOT
 * possess a 'type' attribute". The muc schema (§19.1) orders `<history/>` before `<password/>`.
 */
export function buildJoin(room: string, nick: string, options: JoinOptions = {}): Element | XmppAdapterError {
  const to = occupantJid(room, nick);
  if (to instanceof XmppAdapterError) return to;
  const x = xml('x', { xmlns: NS_MUC });
  const history = options.history;
  if (history !== undefined) {
    const attrs: Record<string, string> = {};
    for (const name of ['maxchars', 'maxstanzas', 'seconds'] as const) {
      const value = history[name];
      if (value === undefined) continue;
      // §7.2.14: maxchars, maxstanzas and seconds are of datatype "int".
      if (!Number.isInteger(value) || value < 0 || value > MAX_INT)
        return invalidArgument(`history.${name} must be a non-negative integer`);
      attrs[name] = String(value);
    }
    if (history.since !== undefined) {
      // §7.2.14: since "MUST conform to the DateTime profile specified in XEP-0082".
      if (parseDateTime(history.since) === undefined)
        return invalidArgument(`history.since is not a XEP-0082 DateTime: ${shown(history.since)}`);
      attrs.since = history.since;
    }
    if (Object.keys(attrs).length > 0) x.append(xml('history', attrs));
  }
  if (options.password !== undefined) {
    const password = boundedText(options.password, MAX_PASSWORD_LENGTH);
    if (password === undefined) return invalidArgument(`password must be 1..${MAX_PASSWORD_LENGTH} characters`);
    // §7.2.5 (#enter-pw): "Passwords SHOULD be supplied with the presence stanza sent when entering
    // the room, contained within an <x/> element qualified by the 'http://jabber.org/protocol/muc'
    // namespace and containing a <password/> child."
    x.append(xml('password', {}, password));
  }
  return xml('presence', { to }, x, ...(options.extensions ?? []));
}

/**
 * Leaves the room. §7.14 (#exit): "The presence stanza used to exit a room MUST possess a 'type'
 * attribute whose value is "unavailable"." and "The occupant MAY include normal <status/>
 * information in the unavailable presence stanzas".
 */
export function buildLeave(room: string, nick: string, status?: string): Element | XmppAdapterError {
  const to = occupantJid(room, nick);
  if (to instanceof XmppAdapterError) return to;
  const text = optionalText(status, MAX_REASON_LENGTH, 'status');
  if (text instanceof XmppAdapterError) return text;
  return xml('presence', { to, type: 'unavailable' }, ...(text === undefined ? [] : [xml('status', {}, text)]));
}

/**
 * Changes our nick: plain presence to the new occupant JID. §7.6 (#changenick): "this is done by
 * sending updated presence information to the room, specifically by sending presence to a new
 * occupant JID in the same room". No muc `<x/>`: §7.2.1 "When a MUC service receives an <x/> tagged
 * join stanza from an already-joined client […] the service should assume that the client lost its
 * synchronization".
 */
export function buildNickChange(room: string, newNick: string): Element | XmppAdapterError {
  const to = occupantJid(room, newNick);
  return to instanceof XmppAdapterError ? to : xml('presence', { to });
}

// ---------------------------------------------------------------------------------------------
// Messages we send
// ---------------------------------------------------------------------------------------------

function groupchatTo(room: string, id: string): { to: string; id: string } | XmppAdapterError {
  const to = roomJidOf(room);
  if (to === undefined) return invalidArgument(`not a room JID: ${shown(room)}`);
  if (usableId(id) === undefined) return invalidArgument('id must be 1..1024 characters');
  return { to, id };
}

/**
 * A message to all occupants, with a XEP-0359 origin-id equal to its `id` (the room reflects the
 * `id`: §7.4 "The service SHOULD reflect the message with the same 'id' that was generated by the client").
 * §17.2 (#bizrules-message): "If an occupant wants to send a message to all other occupants, a MUC
 * client MUST set the 'type' attribute to a value of "groupchat"." §7.4 (#message): "by sending a
 * message of type "groupchat" to the <room@service> itself".
 */
export function buildGroupchat(room: string, body: string, id: string): Element | XmppAdapterError {
  const target = groupchatTo(room, id);
  if (target instanceof XmppAdapterError) return target;
  if (typeof body !== 'string' || body.length === 0 || body.length > MAX_BODY_LENGTH)
    return invalidArgument(`body must be 1..${MAX_BODY_LENGTH} characters`);
  // XEP-0359 §2.2: "the client MUST use the <origin-id/> element extension element qualified by the 'urn:xmpp:sid:0' namespace."
  return xml('message', { ...target, type: 'groupchat' }, xml('body', {}, body), xml('origin-id', { xmlns: NS_SID, id }));
}

/**
 * Changes the subject; `''` clears it. §8.1 (#subject-mod): "The subject is changed by sending a
 * message of type "groupchat" to the <room@service>, where the <message/> MUST contain a <subject/>
 * element that specifies the new subject but MUST NOT contain a <body/> element (or a <thread/>
 * element)." and "In order to remove the existing subject […] the client shall send an empty <subject/> element".
 */
export function buildSubjectChange(room: string, subject: string, id: string): Element | XmppAdapterError {
  const target = groupchatTo(room, id);
  if (target instanceof XmppAdapterError) return target;
  if (typeof subject !== 'string' || subject.length > MAX_SUBJECT_LENGTH)
    return invalidArgument(`subject must be at most ${MAX_SUBJECT_LENGTH} characters`);
  return xml('message', { ...target, type: 'groupchat' }, subject === '' ? xml('subject') : xml('subject', {}, subject));
}

/**
 * A private message to one occupant, with an origin-id equal to its `id`.
 * §7.5 (#privatemessage): "The message type SHOULD be "chat" and MUST NOT be "groupchat"" and "the
 * sending client SHOULD add an <x/> element qualified by the 'http://jabber.org/protocol/muc#user'
 * namespace to the message."
 */
export function buildPrivateMessage(occupant: string, body: string, id: string): Element | XmppAdapterError {
  const target = occupantOf(occupant);
  if (target?.nick === undefined) return invalidArgument(`not an occupant JID: ${shown(occupant)}`);
  if (usableId(id) === undefined) return invalidArgument('id must be 1..1024 characters');
  if (typeof body !== 'string' || body.length === 0 || body.length > MAX_BODY_LENGTH)
    return invalidArgument(`body must be 1..${MAX_BODY_LENGTH} characters`);
  return xml(
    'message',
    { to: `${target.room}/${target.nick}`, id, type: 'chat' },
    xml('body', {}, body),
    xml('x', { xmlns: NS_MUC_USER }),
    xml('origin-id', { xmlns: NS_SID, id }),
  );
}

function destroyedOf(el: Element): RoomDestroyed {
  const destroyed: RoomDestroyed = {};
  const venue = roomJidOf(el.attrs.jid);
  if (venue !== undefined) destroyed.jid = venue;
  const reason = reasonOf(el, NS_MUC_USER);
  if (reason !== undefined) destroyed.reason = reason;
  const password = boundedText(el.getChildText('password', NS_MUC_USER), MAX_PASSWORD_LENGTH);
  if (password !== undefined) destroyed.password = password;
  return destroyed;
}

const SHOWS = ['away', 'chat', 'dnd', 'xa'] as const;

/**
 * Reads a presence from an occupant JID `room/nick`: available, or unavailable (exits, kicks, bans,
 * nick changes, destruction). Refused: other types (errors: {@link parseRoomPresenceError}), a
 * `from` that is the room itself or has no usable nick, more than one muc#user `<x/>`, an
 * available presence without one, unknown roles or affiliations, too many status codes.
 */
export function parseOccupantPresence(stanza: Element): OccupantPresence | StanzaParseError {
  if (stanza.name !== 'presence') return refuse('not a presence');
  const type = stanza.attrs.type;
  if (type !== undefined && type !== 'unavailable') return refuse(`presence of type ${shown(type)} is not occupant presence`);
  const from = occupantOf(stanza.attrs.from);
  if (from === undefined) return refuse(`from is not a room or occupant JID: ${shown(stanza.attrs.from)}`);
  // Occupant presence comes from the occupant JID; a bare room JID has no occupant (and no self-presence).
  if (from.nick === undefined) return refuse('presence from the room itself is not occupant presence');
  const xs = stanza.getChildren('x', NS_MUC_USER);
  // §7.2.2 (#enter-pres): "The <presence/> element MUST NOT include more than once instance of the
  // <x/> element qualified by the 'http://jabber.org/protocol/muc#user' namespace."
  if (xs.length > 1) return refuse('more than one muc#user <x/>');
  const x = xs[0];
  // §17.3 (#bizrules-presence) rule 8: "MUC service implementations MUST provide role and
  // affiliation data […] in all presence stanzas"; an unavailable one without is still an exit.
  if (x === undefined && type === undefined) return refuse('available presence without a muc#user <x/>');
  const presence: OccupantPresence = { room: from.room, nick: from.nick, available: type === undefined, item: {}, statusCodes: [] };
  if (x !== undefined) {
    const items = x.getChildren('item', NS_MUC_USER);
    // Several sessions of one user under one nick (a "multi-session nick", as Prosody allows) give
    // one <item/> per real JID; role and affiliation are the occupant's, so the first one says them.
    if (items.length > 16) return refuse('too many <item/>s in occupant presence');
    if (items[0] !== undefined) {
      const item = parseItem(items[0], NS_MUC_USER);
      if (item instanceof StanzaParseError) return item;
      presence.item = item;
    }
    const codes = statusCodesOf(x);
    if (codes instanceof StanzaParseError) return codes;
    presence.statusCodes = codes;
    const destroy = x.getChild('destroy', NS_MUC_USER);
    // §10.9 (#destroyroom): "The extended presence information of the stanza MUST include <destroy/> element."
    if (destroy !== undefined) presence.destroyed = destroyedOf(destroy);
  }
  const occupantId = occupantIdOf(stanza);
  if (occupantId !== undefined) presence.occupantId = occupantId;
  const show = stanza.getChildText('show');
  if (show !== null && (SHOWS as readonly string[]).includes(show)) presence.show = show as OccupantPresence['show'];
  const status = boundedText(stanza.getChildText('status'), MAX_REASON_LENGTH);
  if (status !== undefined) presence.status = status;
  return presence;
}

// ---------------------------------------------------------------------------------------------
// Join errors
// ---------------------------------------------------------------------------------------------

const FAILURES: Readonly<Record<string, RoomFailureReason>> = {
  // §7.2.5 (#enter-pw): "If the room requires a password and the user did not supply one (or the
  // password provided is incorrect), the service MUST deny access to the room and inform the user
  // that they are unauthorized; this is done by returning a presence stanza of type "error"
  // specifying a <not-authorized/> error"
  'not-authorized': 'password-required',
  // §7.2.6 (#enter-members): "If the room is members-only but the user is not on the member list,
  // the service MUST deny access […] specifying a <registration-required/> error condition"
  'registration-required': 'not-a-member',
  // §7.2.7 (#enter-banned): "If the user has been banned from the room (i.e., has an affiliation of
  // "outcast"), the service MUST deny access […] specifying a <forbidden/> error condition"
  forbidden: 'banned',
  // §7.2.8 (#enter-conflict): "If the room already contains another user with the nickname desired
  // […] the service MUST deny access […] specifying a <conflict/> error condition"
  conflict: 'nick-conflict',
  // §7.2.9 (#enter-maxusers): "If the room has reached its maximum number of occupants, the service
  // SHOULD deny access […] specifying a <service-unavailable/> error condition"
  'service-unavailable': 'service-unavailable',
  // §7.2.10 (#enter-locked): "If a user attempts to enter a room while it is "locked" […] the
  // service MUST refuse entry and return an <item-not-found/> error to the user"
  'item-not-found': 'not-found',
  // §10.1.1 (#createroom-general): "If access is restricted and a user attempts to create a room,
  // the service MUST return a <not-allowed/> error"
  'not-allowed': 'not-allowed',
};

/** What an RFC 6120 stanza error condition means for entering a room (§7.2.17 #enter-errorcodes). */
export function roomFailureOf(condition: string): RoomFailureReason {
  return Object.hasOwn(FAILURES, condition) ? FAILURES[condition]! : 'other';
}

/** Reads a `type='error'` presence from a room or occupant JID (a refused join or nick change). */
export function parseRoomPresenceError(stanza: Element): RoomPresenceError | StanzaParseError {
  if (stanza.name !== 'presence' || stanza.attrs.type !== 'error') return refuse('not an error presence');
  const from = occupantOf(stanza.attrs.from);
  if (from === undefined) return refuse(`from is not a room or occupant JID: ${shown(stanza.attrs.from)}`);
  const error = stanza.getChild('error');
  const conditionEl = error?.getChildElements().find((c) => c.getNS() === NS_STANZAS && c.name !== 'text');
  const condition = conditionEl?.name ?? 'undefined-condition';
  const result: RoomPresenceError = { room: from.room, condition, reason: roomFailureOf(condition) };
  if (from.nick !== undefined) result.nick = from.nick;
  const text = boundedText(error?.getChildText('text', NS_STANZAS), MAX_REASON_LENGTH);
  if (text !== undefined) result.text = text;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Room messages
// ---------------------------------------------------------------------------------------------

/**
 * Reads a `type='groupchat'` message from the room (`room@service`) or an occupant (`room/nick`):
 * a body, or a subject change. The stanza-id is kept only when the room assigned it
 * (`by` = the room's bare JID). Refused: other types, unusable addresses, a body or subject over
 * {@link MAX_BODY_LENGTH}, and a message with neither body nor subject change (status-code
 * notices such as §10.2.1 configuration changes are not room messages).
 */
export function parseGroupchat(stanza: Element): GroupchatMessage | StanzaParseError {
  if (stanza.name !== 'message' || stanza.attrs.type !== 'groupchat') return refuse('not a groupchat message');
  return readRoomMessage(stanza);
}

/**
 * A private message from an occupant (XEP-0045 §7.5): type `chat`, from `room/nick`, marked with a
 * muc#user `<x/>`, with a body.
 */
export function parsePrivateMessage(stanza: Element): GroupchatMessage | StanzaParseError {
  if (stanza.name !== 'message' || stanza.attrs.type !== 'chat' || stanza.getChild('x', NS_MUC_USER) === undefined) {
    return refuse('not a room private message');
  }
  const message = readRoomMessage(stanza);
  if (message instanceof StanzaParseError) return message;
  if (message.nick === undefined || message.body === undefined) return refuse('a private message needs an occupant and a body');
  delete message.subject;
  return message;
}

/** What a message from a room or an occupant carries, read the same way for groupchat and private ones. */
function readRoomMessage(stanza: Element): GroupchatMessage | StanzaParseError {
  const from = occupantOf(stanza.attrs.from);
  if (from === undefined) return refuse(`from is not a room or occupant JID: ${shown(stanza.attrs.from)}`);
  const message: GroupchatMessage = { room: from.room };
  if (from.nick !== undefined) message.nick = from.nick;
  const bodyEl = stanza.getChild('body');
  const body = bodyEl?.text();
  if (body !== undefined && body.length > MAX_BODY_LENGTH) return refuse('body too long');
  if (body) message.body = body;
  const subjectEl = stanza.getChild('subject');
  // §8.1 (#subject-mod): "A message with a <subject/> and a <body/> or a <subject/> and a <thread/>
  // is a legitimate message, but it SHALL NOT be interpreted as a subject change."
  if (subjectEl !== undefined && bodyEl === undefined && stanza.getChild('thread') === undefined) {
    const subject = subjectEl.text();
    if (subject.length > MAX_SUBJECT_LENGTH) return refuse('subject too long');
    // §7.2.15 (#enter-subject): "If there is no subject set, the room MUST return an empty <subject/> element."
    message.subject = subject;
  }
  if (message.body === undefined && message.subject === undefined) return refuse('neither a body nor a subject change');
  const idAttr = usableId(stanza.attrs.id);
  if (idAttr !== undefined) message.idAttr = idAttr;
  const originId = originIdOf(stanza);
  if (originId !== undefined) message.originId = originId;
  // XEP-0359 §3 rule 7: "The value of the 'by' attribute MUST be the XMPP address of the entity
  // assigning the unique and stable stanza ID." A room archive assigns it as the room's bare JID.
  const stanzaId = trustedStanzaId(stanza, from.room);
  if (stanzaId !== undefined) message.stanzaId = stanzaId;
  const occupantId = occupantIdOf(stanza);
  if (occupantId !== undefined) message.occupantId = occupantId;
  // §7.2.13 (#enter-history): "Discussion history messages MUST be stamped with XEP-0203 information
  // qualified by the 'urn:xmpp:delay' namespace"; the stamp is kept raw (see resolveStamp).
  const delay = delayStampOf(stanza);
  if (delay !== undefined) message.delay = delay;
  return message;
}
