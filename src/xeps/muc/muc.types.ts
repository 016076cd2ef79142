/**
 * Plain types of multi-user chat (XEP-0045 1.34.x): what the codec reads from and writes to the
 * wire, shared by the `muc` manager and its `room:<bareJid>` actors.
 */
import type { FormFieldType } from '../forms.js';

/** XEP-0045 §5.1: roles, held for the visit. */
export type Role = 'moderator' | 'participant' | 'visitor' | 'none';
/** XEP-0045 §5.2: affiliations, held across visits. */
export type Affiliation = 'owner' | 'admin' | 'member' | 'outcast' | 'none';

/** The `<item/>` of a muc#user or muc#admin payload. */
export interface MucItem {
  role?: Role;
  affiliation?: Affiliation;
  /** The occupant's real JID, when the room shows it (non-anonymous, or to moderators). */
  jid?: string;
  /** On a 303 nick change: the new nick. */
  nick?: string;
  /** Who did it (kicks, bans), by nick or JID. */
  actor?: { nick?: string; jid?: string };
  reason?: string;
}

/** XEP-0045 §10.9: the room was destroyed; `jid` is the alternate venue when one was given. */
export interface RoomDestroyed {
  jid?: string;
  reason?: string;
  password?: string;
}

/** A presence from `room/nick` (XEP-0045 §7.2), read by `parseOccupantPresence`. */
export interface OccupantPresence {
  /** The room's bare JID (normalised). */
  room: string;
  nick: string;
  available: boolean;
  item: MucItem;
  /** XEP-0045 §15.6.2 status codes, e.g. 110 (self), 201 (created), 303 (nick change), 307 (kicked). */
  statusCodes: number[];
  /** XEP-0421 occupant-id (only meaningful when the room advertises `urn:xmpp:occupant-id:0`). */
  occupantId?: string;
  show?: 'away' | 'chat' | 'dnd' | 'xa';
  status?: string;
  destroyed?: RoomDestroyed;
}

/** Why joining failed or a room stopped us, as the room actor shows it. */
export type RoomFailureReason =
  | 'nick-conflict'
  | 'password-required'
  | 'not-a-member'
  | 'banned'
  | 'not-found'
  | 'not-allowed'
  | 'service-unavailable'
  | 'kicked'
  | 'removed'
  | 'destroyed'
  | 'shutdown'
  | 'other';

/** A `type='error'` presence from the room or `room/nick` (XEP-0045 §7.2.6–§7.2.11). */
export interface RoomPresenceError {
  room: string;
  nick?: string;
  /** The RFC 6120 stanza error condition, e.g. `conflict`. */
  condition: string;
  text?: string;
  reason: RoomFailureReason;
}

/** A groupchat message (XEP-0045 §7.4), from an occupant (`nick`) or from the room itself (no nick). */
export interface GroupchatMessage {
  room: string;
  nick?: string;
  body?: string;
  /** A `<subject/>` (§8.1): the room's subject changed (an empty one clears it). */
  subject?: string;
  idAttr?: string;
  /** XEP-0359 origin-id. */
  originId?: string;
  /** XEP-0359 stanza-id, only when its `by` is the room's bare JID. */
  stanzaId?: string;
  occupantId?: string;
  /** Raw XEP-0203 stamp (history and archive copies). */
  delay?: string;
}

/** An invitation to a room: mediated (XEP-0045 §7.8.2) or direct (XEP-0249). */
export interface RoomInvitation {
  room: string;
  /** Who invites: for a mediated one the `<invite from>` the room reports, for a direct one the sender. */
  from: string;
  reason?: string;
  password?: string;
  direct: boolean;
}

/** A decline of our mediated invitation (XEP-0045 §7.8.2), relayed by the room. */
export interface RoomDecline {
  room: string;
  from: string;
  reason?: string;
}

/** What disco#info on a room says (XEP-0045 §6.4, the muc#roominfo form). */
export interface RoomInfo {
  name?: string;
  features: string[];
  /** muc#roominfo fields by var, e.g. `muc#roominfo_subject`, `muc#roominfo_occupants`. */
  fields: Record<string, string[]>;
  passwordProtected: boolean;
  membersOnly: boolean;
  nonAnonymous: boolean;
  persistent: boolean;
  /** The room keeps a XEP-0313 archive. */
  archived: boolean;
  /** XEP-0421: the room stamps occupant ids. */
  occupantIds: boolean;
}

/** One field of a room configuration form (XEP-0045 §10.2, XEP-0004), typed by its `type`. */
export interface ConfigField {
  var: string;
  type: FormFieldType;
  label?: string;
  values: string[];
  options?: { label?: string; value: string }[];
}

/** A row of an affiliation or role list (XEP-0045 §9.5, §8.5). */
export interface ListedItem {
  jid?: string;
  nick?: string;
  affiliation?: Affiliation;
  role?: Role;
  reason?: string;
}
