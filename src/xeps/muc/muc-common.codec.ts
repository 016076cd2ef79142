/**
 * What the XEP-0045 Multi-User Chat codecs share (muc.codec.ts, muc-admin.codec.ts): namespaces,
 * status codes, limits, room and nick checks, and the muc#user / muc#admin `<item/>` reader.
 * Quotes are from XEP-0045 1.35.5 (the 1.34.x text of the quoted sentences is the same); section
 * numbers are those of 1.35.5, given with the section's anchor (`#bizrules-jids`). Pure; never throws.
 */
import { xml, type Element } from '@xmpp/xml';
import { XmppAdapterError } from '../../errors.js';
import { formatJid, normalizeJid, parseJid } from '../../jid.js';
import { boundedText } from '../forms.js';
import { MAX_BODY_LENGTH } from '../chat/chat.codec.js';
import { StanzaParseError } from '../iq-request.js';
import type { Affiliation, MucItem, Role } from './muc.types.js';

export const NS_MUC = 'http://jabber.org/protocol/muc';
export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
export const NS_MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';
export const NS_MUC_OWNER = 'http://jabber.org/protocol/muc#owner';
/** XEP-0249 direct invitations. */
export const NS_CONFERENCE = 'jabber:x:conference';
/** XEP-0421 occupant identifiers. */
export const NS_OCCUPANT_ID = 'urn:xmpp:occupant-id:0';

/** XEP-0045 §16.6.2 (#registrar-statuscodes-init): the registered muc#user status codes. */
export const STATUS = {
  /** "Inform user that any occupant is allowed to see the user's full JID" */
  NON_ANONYMOUS: 100,
  /** "Inform user that his or her affiliation changed while not in the room" */
  AFFILIATION_CHANGED: 101,
  /** "Inform occupants that a non-privacy-related room configuration change has occurred" */
  CONFIG_CHANGED: 104,
  /** "Inform user that presence refers to itself" */
  SELF: 110,
  /** "Inform occupants that room logging is now enabled" */
  LOGGING_ENABLED: 170,
  LOGGING_DISABLED: 171,
  NOW_NON_ANONYMOUS: 172,
  NOW_SEMI_ANONYMOUS: 173,
  /** "Inform user that a new room has been created" */
  CREATED: 201,
  /** "Inform user that service has assigned or modified occupant's roomnick" */
  NICK_ASSIGNED: 210,
  /** "A user has been banned from the room" */
  BANNED: 301,
  /** "Inform all occupants of new room nickname" */
  NICK_CHANGED: 303,
  /** "A user has been kicked from the room" */
  KICKED: 307,
  /** "A user is being removed from the room because of an affiliation change" */
  REMOVED_AFFILIATION: 321,
  /** "… because the room has been changed to members-only and the user is not a member" */
  REMOVED_MEMBERS_ONLY: 322,
  /** "… because the MUC service is being shut down" */
  SHUTDOWN: 332,
  /** "A user was removed because of an error reply" */
  REMOVED_ERROR: 333,
} as const;

/** More `<status/>` elements than this in one stanza: the stanza is refused. */
export const MAX_STATUS_CODES = 32;
/** XEP-0421 §4.1: "The occupant identifier MUST have a maximum length of 128 characters." */
export const MAX_OCCUPANT_ID_LENGTH = 128;
/** Longest reason, status text or error text kept (longer ones are left out, not truncated). */
export const MAX_REASON_LENGTH = 4096;
/** Longest room password sent or read. */
export const MAX_PASSWORD_LENGTH = 1024;
/** A subject is held like a body (a hostile room could otherwise fill memory). */
export const MAX_SUBJECT_LENGTH = MAX_BODY_LENGTH;

export const ROLES: readonly Role[] = ['moderator', 'participant', 'visitor', 'none'];
export const AFFILIATIONS: readonly Affiliation[] = ['owner', 'admin', 'member', 'outcast', 'none'];
export const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);
export const isAffiliation = (value: unknown): value is Affiliation => (AFFILIATIONS as readonly unknown[]).includes(value);

export const invalidArgument = (what: string) => new XmppAdapterError('invalid-argument', `MUC: ${what}`);
export const refuse = (why: string) => new StanzaParseError(why);
/** A value as shown in an error message: at most 80 characters of it. */
export const shown = (value: unknown) => String(value).slice(0, 80);

/** An optional reason argument as `<reason/>` children: undefined or '' is none, a longer one than {@link MAX_REASON_LENGTH} is unusable. */
export function reasonArg(reason: string | undefined): Element[] | XmppAdapterError {
  if (reason === undefined || reason === '') return [];
  if (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH)
    return invalidArgument(`reason is longer than ${MAX_REASON_LENGTH} characters`);
  return [xml('reason', {}, reason)];
}

/** A room JID argument, or why it is unusable. */
export function roomArg(room: string): string | XmppAdapterError {
  return roomJidOf(room) ?? invalidArgument(`not a room JID: ${shown(room)}`);
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

/**
 * A room address `room@service`, normalised, or undefined (a domain alone or a full JID is not a room).
 * §17.1 (#bizrules-jids): "both the Room ID (node) and Room Nickname (resource) portions of an
 * Occupant JID MUST be of non-zero length."
 */
export function roomJidOf(value: unknown): string | undefined {
  const parts = parseJid(value);
  return parts && parts.local !== undefined && parts.resource === undefined ? formatJid(parts) : undefined;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * A usable room nickname (a resourcepart of 1..1023 bytes without control characters), or undefined.
 * §17.1: "a MUC service MUST NOT allow empty or invisible Room Nicknames (i.e., Room Nicknames that
 * consist only of one or more space characters)."
 */
export function usableNick(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '' || CONTROL.test(value)) return undefined;
  return parseJid(`x@x/${value}`)?.resource === value ? value : undefined;
}

/** The room and (for an occupant JID) the nick of an address; undefined when it is neither. */
export function occupantOf(value: unknown): { room: string; nick?: string } | undefined {
  const parts = parseJid(value);
  if (!parts || parts.local === undefined) return undefined;
  const room = formatJid({ ...parts, resource: undefined });
  if (parts.resource === undefined) return { room };
  const nick = usableNick(parts.resource);
  return nick === undefined ? undefined : { room, nick };
}

/** Trimmed `<reason/>` text of `parent`, when present and not too long. */
export function reasonOf(parent: Element, ns: string): string | undefined {
  return boundedText(parent.getChildText('reason', ns)?.trim(), MAX_REASON_LENGTH);
}

// ---------------------------------------------------------------------------------------------
// Occupant presence
// ---------------------------------------------------------------------------------------------

/**
 * A muc#user or muc#admin `<item/>`. Roles and affiliations outside the schema's enumerations
 * (§19.2, §19.3) refuse the item; an unusable `jid`, `nick` or actor address is left out.
 */
export function parseItem(el: Element, ns: string): MucItem | StanzaParseError {
  const { role, affiliation } = el.attrs;
  const item: MucItem = {};
  if (role !== undefined) {
    if (!isRole(role)) return refuse(`unknown role ${shown(role)}`);
    item.role = role;
  }
  if (affiliation !== undefined) {
    if (!isAffiliation(affiliation)) return refuse(`unknown affiliation ${shown(affiliation)}`);
    item.affiliation = affiliation;
  }
  const jid = normalizeJid(el.attrs.jid);
  if (jid !== undefined) item.jid = jid;
  const nick = usableNick(el.attrs.nick);
  if (nick !== undefined) item.nick = nick;
  const actorEl = el.getChild('actor', ns);
  if (actorEl !== undefined) {
    const actor: { nick?: string; jid?: string } = {};
    const actorNick = usableNick(actorEl.attrs.nick);
    if (actorNick !== undefined) actor.nick = actorNick;
    const actorJid = normalizeJid(actorEl.attrs.jid);
    if (actorJid !== undefined) actor.jid = actorJid;
    if (actorNick !== undefined || actorJid !== undefined) item.actor = actor;
  }
  const reason = reasonOf(el, ns);
  if (reason !== undefined) item.reason = reason;
  return item;
}

/** The distinct status codes of a muc#user `<x/>` (codes outside 100..999 are ignored), or a refusal when there are too many. */
export function statusCodesOf(x: Element): number[] | StanzaParseError {
  const elements = x.getChildren('status', NS_MUC_USER);
  if (elements.length > MAX_STATUS_CODES) return refuse(`more than ${MAX_STATUS_CODES} status codes`);
  const codes = new Set<number>();
  // §19.2 muc#user schema: the code is an xs:int with "<xs:minInclusive value='100'/>" and "<xs:maxInclusive value='999'/>".
  for (const el of elements) if (/^[1-9]\d{2}$/.test(el.attrs.code ?? '')) codes.add(Number(el.attrs.code));
  return [...codes];
}

/**
 * XEP-0421 §4: "Messages and presences MUST NOT contain more then one <occupant-id> element", so
 * only the first is read. The caller must also apply "The <occupant-id> element MUST be ignored if
 * support for the feature is not announced via XEP-0030" (see `RoomInfo.occupantIds`).
 */
export function occupantIdOf(stanza: Element): string | undefined {
  return boundedText(stanza.getChild('occupant-id', NS_OCCUPANT_ID)?.attrs.id, MAX_OCCUPANT_ID_LENGTH);
}
