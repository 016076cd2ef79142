import type { SessionLifecycleEvent } from '../feature.js';
import type { MessageStore } from '../../store/message-store.js';

/** Where a message stands, as far as this client can know. */
export type ChatMessageState = 'sending' | 'sent' | 'delivered' | 'displayed' | 'error';

/** An RFC 6120 §8.3 stanza error as plain data. */
export interface ChatMessageError {
  condition: string;
  type?: string;
  text?: string;
}

/** One message of a 1:1 conversation, as kept in the conversation's store. */
export interface ChatMessage {
  /** The dedupe key: trusted stanza-id, else origin-id, else the stanza `id`, else generated. */
  id: string;
  direction: 'in' | 'out';
  from: string;
  to: string;
  body: string;
  /** ISO 8601 (UTC): the XEP-0203 delay stamp when usable, else the arrival (or sending) time. */
  stamp: string;
  /** XEP-0359 `<origin-id/>`. */
  originId?: string;
  /** XEP-0359 `<stanza-id/>`, only when assigned by the own account (`by` = own bare JID). */
  stanzaId?: string;
  state: ChatMessageState;
  error?: ChatMessageError;
  /** Incoming markable message (XEP-0333): the stanza `id` a chat marker for it must name. */
  markableId?: string;
}

/** A chat message as read off the wire (route time): no clock, no generated ids yet. */
export interface ParsedChatMessage {
  type: 'chat' | 'normal';
  /** Normalised sender JID (full when the server gave one). */
  from: string;
  /** Normalised recipient JID; absent when the stanza had no `to`. */
  to?: string;
  body: string;
  /** The stanza's `id` attribute (what a receipt echoes). */
  idAttr?: string;
  originId?: string;
  /** Trusted only: `by` was the own bare JID. */
  stanzaId?: string;
  /** The raw XEP-0203 stamp, checked later against the clock. */
  delay?: string;
  /** XEP-0184 `<request/>` present. */
  receiptRequested: boolean;
  /** XEP-0333 `<markable/>` present (only set when true). */
  markable?: true;
}

/** A content message arrived live. */
export interface ChatMessageEvent {
  type: 'chat.message';
  message: ParsedChatMessage;
}

/** A XEP-0184 `<received id/>` from `from` (normalised full or bare JID). */
export interface ChatReceiptEvent {
  type: 'chat.receipt';
  from: string;
  id: string;
}

/** A XEP-0333 chat marker from `from` naming the message whose stanza id was `id`. */
export interface ChatMarkerEvent {
  type: 'chat.marker';
  from: string;
  id: string;
  marker: 'received' | 'displayed' | 'acknowledged';
}

/** A `type='error'` message bouncing the message whose stanza id was `id`. */
export interface ChatBounceEvent {
  type: 'chat.bounce';
  from: string;
  id: string;
  error: ChatMessageError;
}

/** A XEP-0280 carbon, already checked by the carbons feature: `in` = received, `out` = sent by another resource. */
export interface ChatCarbonEvent {
  type: 'chat.carbon';
  direction: 'in' | 'out';
  message: ParsedChatMessage;
}

/** Intent: send `body` to `to` (a bare JID, or a full JID to reach one resource). */
export interface ChatSendEvent {
  type: 'chat.send';
  to: string;
  body: string;
}

/** Intent: everything up to message `id` (default: the newest) in the conversation with `jid` is read. */
export interface ChatMarkReadEvent {
  type: 'chat.markRead';
  jid: string;
  id?: string;
}

export type ChatRoutedEvent = ChatMessageEvent | ChatReceiptEvent | ChatMarkerEvent | ChatBounceEvent;

export type ChatEvent = ChatRoutedEvent | ChatCarbonEvent | ChatSendEvent | ChatMarkReadEvent | SessionLifecycleEvent;

export interface ChatContext {
  /** Own full JID of the current (or last) stream. */
  me: string | undefined;
  /** Bare JIDs of the conversations, in the order they started; each has a `chat:<jid>` child. */
  conversations: string[];
}

export type ConversationEvent =
  | { type: 'conversation.add'; message: ChatMessage }
  | { type: 'conversation.delivered'; id: string }
  /** A chat marker: `id` and every earlier outgoing message move up to `state` (never down). */
  | { type: 'conversation.marked'; id: string; state: 'delivered' | 'displayed' }
  | { type: 'conversation.bounced'; id: string; error: ChatMessageError }
  | { type: 'conversation.markRead'; id?: string; markerSent?: string };

export interface ConversationInput {
  jid: string;
}

export interface ConversationContext {
  /** The peer's bare JID. */
  jid: string;
  messages: MessageStore<ChatMessage>;
  /** Id of the newest message marked read; incoming messages after it are unread. */
  readUpTo: string | undefined;
  /** Id (in this store) of the newest incoming message a `displayed` marker was sent for. */
  markerSent: string | undefined;
}
