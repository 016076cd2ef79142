import type { OutboundReportEvent, SessionLifecycleEvent } from '../feature.js';
import type { MessageStore } from '../../store/message-store.js';

/** XEP-0085 §2: the five chat states. */
export type ChatState = 'active' | 'composing' | 'paused' | 'inactive' | 'gone';

/**
 * Where a message stands, as far as this client can know: ours are `sending` until the server
 * confirms them (`sent`), then `delivered` (a receipt) and `displayed` (a marker); `error` when
 * bounced, or when the client stopped before the server confirmed it (condition `not-sent`).
 */
export type ChatMessageState = 'sending' | 'sent' | 'delivered' | 'displayed' | 'error';

/** An RFC 6120 §8.3 stanza error as plain data. */
export interface ChatMessageError {
  condition: string;
  type?: string;
  text?: string;
}

/** XEP-0066: a link to a file (an upload's GET URL) that clients may show inline. Always http(s). */
export interface OutOfBandLink {
  url: string;
  desc?: string;
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
  /**
   * The stanza `id` attribute when it differs from `id` (what corrections and retractions name);
   * absent when `id` is the stanza id itself (our own sends).
   */
  wireId?: string;
  /** XEP-0066: a file link that came with the message (the body usually repeats the URL). */
  oob?: OutOfBandLink;
  /** XEP-0308: the body was replaced by a correction from the original sender. */
  corrected?: true;
  /** XEP-0424: the original sender retracted the message; `body` is empty. */
  retracted?: true;
}

/** A XEP-0333 chat marker naming the message whose stanza id was `id`. */
export interface ParsedMarker {
  marker: 'received' | 'displayed' | 'acknowledged';
  id: string;
}

/**
 * A 1:1 message as read off the wire (route time, live or unwrapped from a carbon): no clock, no
 * generated ids yet. It may carry content (`body`), or only payloads about other messages and
 * the conversation (a chat state, a receipt, a marker, a correction, a retraction).
 */
export interface ParsedChatMessage {
  type: 'chat' | 'normal';
  /** Normalised sender JID (full when the server gave one). */
  from: string;
  /** Normalised recipient JID; absent when the stanza had no `to`. */
  to?: string;
  /** Non-empty; absent on a standalone notification. */
  body?: string;
  /** The stanza's `id` attribute (what a receipt echoes). */
  idAttr?: string;
  originId?: string;
  /** Trusted only: `by` was the own bare JID. */
  stanzaId?: string;
  /** The raw XEP-0203 stamp, checked later against the clock. */
  delay?: string;
  /** XEP-0184 `<request/>` present. */
  receiptRequested: boolean;
  /** XEP-0066 link (http(s) only). */
  oob?: OutOfBandLink;
  /** XEP-0333 `<markable/>` present (only set when true). */
  markable?: true;
  /** XEP-0085 chat state (only when the stanza carries exactly one). */
  chatState?: ChatState;
  /** XEP-0184 `<received id/>`: the stanza id of the message acknowledged. */
  receipt?: string;
  /** XEP-0333 marker. */
  marker?: ParsedMarker;
  /** XEP-0308 `<replace id/>`: the stanza id of the message this body corrects. */
  replace?: string;
  /** XEP-0424 `<retract id/>`: the stanza id of the message retracted (the body is a fallback). */
  retract?: string;
}

/** A 1:1 message arrived live (content, a chat state, a receipt, a marker, a correction, a retraction). */
export interface ChatMessageEvent {
  type: 'chat.message';
  message: ParsedChatMessage;
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
  /**
   * Stanza id and origin-id to use (so the caller knows the stored message's id): used when
   * non-empty, at most 1024 characters and not already in the conversation; else one is generated.
   */
  id?: string;
  /** XEP-0280 §6: keep this message from our other devices (no carbon copies). */
  private?: boolean;
  /** XEP-0066: attach a file link (http(s) only; anything else is refused). */
  oob?: OutOfBandLink;
}

/** Intent: our chat state in the conversation with `jid` changed (typing → `composing`). */
export interface ChatComposeEvent {
  type: 'chat.compose';
  jid: string;
  state: ChatState;
}

/** Intent: replace the body of our last outgoing message `id` (the stored id) in the conversation with `jid`. */
export interface ChatCorrectEvent {
  type: 'chat.correct';
  jid: string;
  id: string;
  body: string;
}

/** Intent: retract our outgoing message `id` (the stored id) in the conversation with `jid`. */
export interface ChatRetractEvent {
  type: 'chat.retract';
  jid: string;
  id: string;
}

/** Internal: the pause delay after our last `composing` ran out. */
export interface ChatComposePauseEvent {
  type: 'chat.composePause';
  jid: string;
}

/** Intent: everything up to message `id` (default: the newest) in the conversation with `jid` is read. */
export interface ChatMarkReadEvent {
  type: 'chat.markRead';
  jid: string;
  id?: string;
}

export type ChatRoutedEvent = ChatMessageEvent | ChatBounceEvent;

/** The app events the chat feature declares as intents. */
export type ChatIntent = ChatSendEvent | ChatMarkReadEvent | ChatComposeEvent | ChatCorrectEvent | ChatRetractEvent;

/** One archived 1:1 message, read and attributed by the archive route (XEP-0313 §8.2). */
export interface ArchivedChatMessage {
  archiveId: string;
  direction: 'in' | 'out';
  message: ParsedChatMessage;
}

/**
 * A page of the own archive from the archive actor, in archive order. `older`: scrollback, put in
 * front of the conversation; `newer`: catch-up, put after what is known (by time, so a few live
 * messages that came first stay after it). Answered with `archive.applied`.
 */
export interface ChatArchivedEvent {
  type: 'chat.archived';
  queryId: string;
  placement: 'older' | 'newer';
  results: readonly ArchivedChatMessage[];
  /** The archive id of the page's newest result: catch-up continues after it next time. */
  last?: string;
  /** `newer` pages: the archive id the page follows (the query's start, or the previous page's last). */
  after?: string;
}

export type ChatEvent =
  | ChatRoutedEvent
  | ChatBatchEvent
  | ChatCarbonEvent
  | ChatArchivedEvent
  | ChatIntent
  | ChatComposePauseEvent
  | SessionLifecycleEvent
  | OutboundReportEvent;

export interface ChatContext {
  /** Own full JID of the current (or last) stream. */
  me: string | undefined;
  /** Bare JIDs of the conversations, in the order they started; each has a `chat:<jid>` child. */
  conversations: string[];
  /** Unread counts of the conversations that have any, by bare JID (the same as each conversation's). */
  unread: Record<string, number>;
  /**
   * The own archive's id (XEP-0359 stanza-id `by` the own account) of the newest message seen with
   * one, live, as a carbon or paged in by catch-up: a fresh session catches up after it.
   */
  archivedUpTo: string | undefined;
  /**
   * The first message of each conversation since the current stream began (not counting resumed
   * ones): what a catch-up missed belongs before it, since it came before the session did.
   */
  sessionStart: Record<string, string>;
  /** Messages each conversation keeps in memory; past it the oldest are forgotten (the archive keeps them). */
  messagesInMemory: number;
}

/** The routed events of one socket read, in order, handled in one manager transition. */
export interface ChatBatchEvent {
  type: 'chat.batch';
  events: readonly ChatRoutedEvent[];
}

/** XEP-0085 from one incoming message: its chat state, and whether it had content (which means `active`). */
export interface PeerStateUpdate {
  state: ChatState | undefined;
  content: boolean;
}

/** Our message `id` bounced (or never reached the server): it shows the error. */
export interface ConversationBouncedEvent {
  type: 'conversation.bounced';
  id: string;
  error: ChatMessageError;
}

export type ConversationEvent =
  /** A new message; an incoming one from the peer also carries what it says about the peer's chat state. */
  | { type: 'conversation.add'; message: ChatMessage; peerState?: PeerStateUpdate }
  | { type: 'conversation.delivered'; id: string }
  /** The server confirmed our message `id`: `sending` → `sent`. */
  | { type: 'conversation.confirmed'; id: string }
  /** A chat marker: `id` and every earlier outgoing message move up to `state` (never down). */
  | { type: 'conversation.marked'; id: string; state: 'delivered' | 'displayed' }
  | ConversationBouncedEvent
  | { type: 'conversation.markRead'; id?: string; markerSent?: string }
  /** Another of our devices sent a `displayed` marker for `id` (a sent carbon): read up to there, forward only. */
  | { type: 'conversation.readElsewhere'; id: string }
  /** The peer's chat state; `content`: it came with (or as the absence in) a content message. */
  | ({ type: 'conversation.peerState' } & PeerStateUpdate)
  /** The chat state we last sent to the peer. */
  | { type: 'conversation.stateSent'; state: ChatState }
  | { type: 'conversation.corrected'; id: string; body: string }
  | { type: 'conversation.retracted'; id: string }
  /**
   * Messages paged in from the archive, in archive order: `older` go in front, `newer` at the end
   * or, when the conversation has messages of the current session, just before the first of them (`before`).
   */
  | { type: 'conversation.archived'; messages: ChatMessage[]; placement: 'older' | 'newer'; before?: string };

/** What the conversation actor accepts: its whole next state, computed by the manager. */
export interface ConversationSetEvent {
  type: 'conversation.set';
  context: ConversationContext;
}

export interface ConversationInput {
  jid: string;
  /** The state to start from (the manager computed it); empty when absent. */
  context?: ConversationContext;
}

export interface ConversationContext {
  /** The peer's bare JID. */
  jid: string;
  messages: MessageStore<ChatMessage>;
  /** Id of the newest message marked read; incoming messages after it are unread. */
  readUpTo: string | undefined;
  /** Id (in this store) of the newest incoming message a `displayed` marker was sent for. */
  markerSent: string | undefined;
  /** Incoming messages after `readUpTo` (kept up to date, so a view reads it in O(1)). */
  unread: number;
  /** XEP-0085: the peer's current chat state, if it ever sent one (a content message without one means `active`). */
  typing: ChatState | undefined;
  /**
   * XEP-0085 §5.1: whether the peer's client takes part in chat states: unknown until it writes,
   * `true` once it sent a state, `false` after a content message without one.
   */
  peerChatStates: boolean | undefined;
  /** The chat state we last sent in this conversation (`active` with every content message). */
  sentState: ChatState | undefined;
}
