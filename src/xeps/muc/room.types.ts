import type { SessionLifecycleEvent } from '../feature.js';
import type { ArchivedGroupchat } from '../archive/archive.types.js';
import type { MessageStore } from '../../store/message-store.js';
import type {
  Affiliation,
  GroupchatMessage,
  OccupantPresence,
  Role,
  RoomDestroyed,
  RoomFailureReason,
  RoomInfo,
  RoomPresenceError,
} from './muc.types.js';

/** Someone in the room, by nick. */
export interface Occupant {
  nick: string;
  role: Role;
  affiliation: Affiliation;
  /** Real full JID, when the room shows it. */
  jid?: string;
  /** XEP-0421, when the room stamps it. */
  occupantId?: string;
  show?: 'away' | 'chat' | 'dnd' | 'xa';
  status?: string;
}

/** One groupchat message as the room keeps it. */
export interface RoomMessage {
  /** Dedupe key: the room's stanza-id, else the origin-id, else the stanza id, else generated. */
  id: string;
  /** Who said it; absent for messages from the room itself. */
  nick?: string;
  /** `out`: sent by this account (our nick, or one of our messages reflected). */
  direction: 'in' | 'out';
  body: string;
  /** ISO 8601 UTC: a usable delay stamp, else arrival (or sending) time. */
  stamp: string;
  originId?: string;
  stanzaId?: string;
  occupantId?: string;
  /** Ours: `sending` until the room reflects it back, then `sent`. */
  state: 'sending' | 'sent' | 'received';
  /** XEP-0045 §7.5: a private message, with the occupant it was exchanged with. */
  private?: string;
}

/** Why the room stopped us or refused us, with what the room said. */
export interface RoomFailure {
  reason: RoomFailureReason | 'timeout';
  text?: string;
  /** Who kicked or banned us, when the room said. */
  by?: string;
  /** XEP-0045 §10.9: where the destroyed room's occupants should go. */
  destroyed?: RoomDestroyed;
}

export interface RoomInput {
  jid: string;
  nick: string;
  password?: string;
  /** Join history the room sends (XEP-0045 §7.2.15): `false` asks for none. @default true */
  history?: boolean;
  /** On a nick conflict, try again with `nick_2`, `nick_3`, … this many times. @default 0 */
  nickRetries?: number;
  /** Start subscribed (ejabberd MucSub) without joining. */
  subscribedOnly?: { nodes: readonly string[] };
  /** Messages kept in memory; past it the oldest are forgotten (the room's archive keeps them). @default DEFAULT_MESSAGES_IN_MEMORY */
  messagesInMemory?: number;
}

export interface RoomContext {
  jid: string;
  /** The nick we asked for (or retry with). */
  nick: string;
  /** The nick the room confirmed (status 110), while joined. */
  self: string | undefined;
  password: string | undefined;
  history: boolean;
  nickRetries: number;
  attempts: number;
  occupants: Record<string, Occupant>;
  subject: { text: string; by?: string } | undefined;
  messages: MessageStore<RoomMessage>;
  failure: RoomFailure | undefined;
  /** The room said it was created for us (status 201): it waits for a configuration. */
  created: boolean;
  /** The room shows real JIDs to everyone (status 100 / 172). */
  nonAnonymous: boolean;
  /** What disco#info said about the room when we last joined (undefined when it did not answer). */
  info: RoomInfo | undefined;
  /** The first message that arrived live in this visit: what the archive says we missed goes before it. */
  visitStart: string | undefined;
  /** When the room was last heard from (the services' clock, ms): XEP-0410 self-pings follow silence. */
  heardAt: number;
  /** A nick change was asked for and not answered yet. */
  renaming: boolean;
  /** When the room last removed us for an error reply (status 333) and we entered again: at most 3 a minute. */
  errorRejoins: readonly number[];
  /** Messages kept in memory (the oldest go past it, never on scrollback). */
  messagesInMemory: number;
  /** ejabberd MucSub: the nodes we are subscribed to; the room's events reach us without joining. */
  subscription: { nodes: readonly string[] } | undefined;
  /**
   * Messages from others since the app last marked the room read (`room.markRead`): live ones,
   * private ones included, and those the archive says were said while we were away. Join history
   * and scrollback are not news and do not count.
   */
  unread: number;
}

/** Routed to `room:<jid>` by the `muc` manager. */
export type RoomRoutedEvent =
  | { type: 'room.presence'; presence: OccupantPresence }
  | { type: 'room.presenceError'; error: RoomPresenceError }
  | { type: 'room.message'; message: GroupchatMessage }
  | { type: 'room.private'; message: GroupchatMessage };

/** Intents, sent by the manager (which checked the arguments). */
export type RoomCommand =
  | { type: 'room.join'; nick?: string; password?: string; history?: boolean; nickRetries?: number }
  | { type: 'room.leave'; status?: string }
  | { type: 'room.send'; body: string; id: string }
  | { type: 'room.setSubject'; subject: string; id: string }
  | { type: 'room.changeNick'; nick: string }
  | { type: 'room.sendPrivate'; nick: string; body: string; id: string }
  | { type: 'room.subscribed'; nodes: readonly string[] }
  | { type: 'room.unsubscribed' }
  /** The app showed the room's messages: nothing in it is unread any more. */
  | { type: 'room.markRead' };

/**
 * A page of the room's archive from the `archive` feature, in archive order: `older` goes in
 * front, `newer` after what this visit had before it (missed while away). Answered with `archive.applied`.
 */
export interface RoomArchivedEvent {
  type: 'room.archived';
  queryId: string;
  placement: 'older' | 'newer';
  results: readonly { archiveId: string; stamp?: string; message: ArchivedGroupchat }[];
}

export type RoomEvent = RoomRoutedEvent | RoomCommand | RoomArchivedEvent | SessionLifecycleEvent;
