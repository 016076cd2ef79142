import type { SessionLifecycleEvent } from '../feature.js';
import type { GroupchatMessage, OccupantPresence, RoomInvitation, RoomPresenceError } from './muc.types.js';

/** What the route hands the `muc` manager (plain data). */
export type MucRoutedEvent =
  | { type: 'muc.presence'; presence: OccupantPresence }
  | { type: 'muc.presenceError'; error: RoomPresenceError }
  | { type: 'muc.message'; message: GroupchatMessage }
  | { type: 'muc.invitation'; invitation: RoomInvitation }
  /** XEP-0045 §7.5: a private message from an occupant (`message.nick`). */
  | { type: 'muc.private'; message: GroupchatMessage };

/** App intents (`client.rooms.*` sends them after checking the arguments). */
export type MucIntent =
  | {
      type: 'muc.join';
      room: string;
      nick: string;
      password?: string;
      /** Ask for the room's discussion history on join. @default true */
      history?: boolean;
      /** Retry a nick conflict with `nick_2`, `nick_3`, … @default 0 */
      nickRetries?: number;
    }
  | { type: 'muc.leave'; room: string; status?: string }
  | { type: 'muc.send'; room: string; body: string; id: string }
  | { type: 'muc.setSubject'; room: string; subject: string; id: string }
  | { type: 'muc.changeNick'; room: string; nick: string }
  | { type: 'muc.sendPrivate'; room: string; nick: string; body: string; id: string }
  /** ejabberd MucSub: the room accepted our subscription (`client.rooms.subscribe` sends this after the IQ). */
  | { type: 'muc.subscribed'; room: string; nick: string; nodes: readonly string[] }
  | { type: 'muc.unsubscribed'; room: string }
  /** The app showed `room`'s messages: its unread count goes to 0. */
  | { type: 'muc.markRead'; room: string };

/** The routed events of one socket read, in order (the feature `batches`). */
export interface MucBatchEvent {
  type: 'muc.batch';
  events: readonly MucRoutedEvent[];
}

export type MucEvent = MucRoutedEvent | MucBatchEvent | MucIntent | SessionLifecycleEvent;

export interface MucContext {
  me: string | undefined;
  /** Bare JIDs of the rooms joined (or tried), in order; each has a `room:<jid>` child. */
  rooms: string[];
  /** Invitations received, oldest first (at most MAX_INVITATIONS). */
  invitations: RoomInvitation[];
  /** Messages each room keeps in memory (handed to every room it starts). */
  messagesInMemory: number;
}
