import type { ChatMessage } from '../xeps/chat/chat.types.js';
import type { RoomInvitation } from '../xeps/muc/muc.types.js';

/**
 * What features tell the app through `client.on(type, listener)`, next to the session's own
 * `online` / `offline` / `status` / `error`. Features hand them to `FeatureServices.notify`.
 */
export type AppNotification =
  /** A chat message entered a conversation: received, sent by this client, or sent by another of our devices (a carbon). */
  | { type: 'message'; conversation: string; message: ChatMessage }
  /** Someone asks to see our presence (RFC 6121 §3.1.4); answer with `client.contacts.approve` / `deny`. */
  | { type: 'contact.request'; jid: string; status?: string }
  /** An invitation to a room (XEP-0045 §7.8.2 through the room, or XEP-0249 direct); join with `client.rooms.join`. */
  | { type: 'room.invitation'; invitation: RoomInvitation };
