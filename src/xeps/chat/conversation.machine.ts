import { fromTransition, type ActorSystem } from 'xstate';
import {
  append,
  at,
  emptyStore,
  get,
  insertAt,
  newest,
  positionOf,
  prepend,
  update,
  type MessageStore,
} from '../../store/message-store.js';
import type {
  ChatMessage,
  ConversationContext,
  ConversationEvent,
  ConversationInput,
  ConversationSetEvent,
  PeerStateUpdate,
} from './chat.types.js';

/**
 * How far back from the newest message a stanza id named by a correction, a retraction or a
 * marker carbon is looked for when it is not the store key itself: these name recent messages
 * (XEP-0308 corrects the last one), and the scan must not grow with history.
 */
export const LOOKBACK = 500;

/** The stanza `id` a message went out with (what receipts, markers, corrections and retractions name). */
export function wireIdOf(message: ChatMessage): string {
  return message.wireId ?? message.id;
}

/**
 * The message of `direction` whose stanza id is `wireId`: the store key first (O(1)), else the
 * newest {@link LOOKBACK} messages. Never a message of the other direction, so a peer cannot
 * name one of ours and we cannot name one of theirs.
 */
export function findByWireId(
  messages: MessageStore<ChatMessage>,
  wireId: string,
  direction: 'in' | 'out',
  match: (m: ChatMessage) => string | undefined = wireIdOf,
): ChatMessage | undefined {
  const keyed = get(messages, wireId);
  if (keyed && keyed.direction === direction && match(keyed) === wireId) return keyed;
  for (let p = messages.size - 1; p >= Math.max(0, messages.size - LOOKBACK); p--) {
    const message = at(messages, p)!;
    if (message.direction === direction && match(message) === wireId) return message;
  }
  return undefined;
}

/** The newest outgoing message among the last {@link LOOKBACK}, if any. */
export function lastOutgoing(messages: MessageStore<ChatMessage>): ChatMessage | undefined {
  for (let p = messages.size - 1; p >= Math.max(0, messages.size - LOOKBACK); p--) {
    const message = at(messages, p)!;
    if (message.direction === 'out') return message;
  }
  return undefined;
}

/** A conversation's state right after it is spawned. */
export function emptyConversation(jid: string): ConversationContext {
  return {
    jid,
    messages: emptyStore<ChatMessage>(),
    readUpTo: undefined,
    markerSent: undefined,
    unread: 0,
    typing: undefined,
    peerChatStates: undefined,
    sentState: undefined,
  };
}

/** XEP-0085: what one incoming message says about the peer's chat state. */
function withPeerState(context: ConversationContext, { state, content }: PeerStateUpdate): ConversationContext {
  return {
    ...context,
    // A content message without a state says the peer is active again.
    typing: state ?? (content ? 'active' : context.typing),
    peerChatStates: state !== undefined ? true : content ? false : context.peerChatStates,
  };
}

/** `context` with `messages` replaced, or `context` itself when the store did not change. */
function withMessages(context: ConversationContext, messages: MessageStore<ChatMessage>): ConversationContext {
  return messages === context.messages ? context : { ...context, messages };
}

/** A read moved: recount what is unread after the new read position. */
function recounted(context: ConversationContext): ConversationContext {
  const unread = unreadAfter(context.messages, context.readUpTo);
  return unread === context.unread ? context : { ...context, unread };
}

/**
 * The conversation as a pure function of its events. `unread`: a new incoming message adds one
 * (it is appended after the read position; the manager counts it the same way for its mirror);
 * a read recounts.
 */
export function reduceConversation(context: ConversationContext, event: ConversationEvent): ConversationContext {
  switch (event.type) {
    case 'conversation.add': {
      const messages = append(context.messages, event.message);
      if (messages === context.messages) return context;
      const added = { ...context, messages, unread: context.unread + (event.message.direction === 'in' ? 1 : 0) };
      return event.peerState ? withPeerState(added, event.peerState) : added;
    }
    case 'conversation.delivered':
      return withMessages(
        context,
        update(context.messages, event.id, (m): ChatMessage =>
          // A receipt confirms our own message only, and never undoes a later state.
          m.direction === 'out' && (m.state === 'sending' || m.state === 'sent') ? { ...m, state: 'delivered' } : m,
        ),
      );
    case 'conversation.confirmed':
      return withMessages(
        context,
        update(context.messages, event.id, (m): ChatMessage =>
          m.direction === 'out' && m.state === 'sending' ? { ...m, state: 'sent' } : m,
        ),
      );
    case 'conversation.marked':
      return withMessages(context, markUpTo(context.messages, event.id, event.state));
    case 'conversation.bounced':
      return withMessages(
        context,
        update(context.messages, event.id, (m): ChatMessage => (m.direction === 'out' ? { ...m, state: 'error', error: event.error } : m)),
      );
    case 'conversation.markRead': {
      let readUpTo = context.readUpTo;
      if (event.id === undefined) readUpTo = context.messages.size === 0 ? context.readUpTo : lastId(context);
      else if (get(context.messages, event.id)) readUpTo = event.id;
      return recounted({ ...context, readUpTo, markerSent: event.markerSent ?? context.markerSent });
    }
    case 'conversation.readElsewhere': {
      const position = positionOf(context.messages, event.id);
      // Read positions synced from our other devices only move forward.
      if (position === -1) return context;
      const ahead = (current: string | undefined) => current === undefined || positionOf(context.messages, current) < position;
      return recounted({
        ...context,
        readUpTo: ahead(context.readUpTo) ? event.id : context.readUpTo,
        // That device sent the marker: this one need not send it again.
        markerSent: ahead(context.markerSent) ? event.id : context.markerSent,
      });
    }
    case 'conversation.peerState':
      return withPeerState(context, event);
    case 'conversation.stateSent':
      return context.sentState === event.state ? context : { ...context, sentState: event.state };
    case 'conversation.corrected':
      return withMessages(
        context,
        update(context.messages, event.id, (m): ChatMessage =>
          m.retracted || m.body === event.body ? m : { ...m, body: event.body, corrected: true },
        ),
      );
    case 'conversation.archived':
      return event.placement === 'older' ? withOlder(context, event.messages) : withNewer(context, event.messages, event.before);
    case 'conversation.retracted':
      return withMessages(
        context,
        update(context.messages, event.id, (m): ChatMessage => {
          if (m.retracted) return m;
          const { corrected: _corrected, ...rest } = m;
          return { ...rest, body: '', retracted: true };
        }),
      );
    default:
      return context;
  }
}

/**
 * Scrollback: archived messages older than everything here go in front. History is not news: when
 * nothing was read yet, the read position moves to the newest message paged in, so the unread
 * count stays what it was.
 */
function withOlder(context: ConversationContext, older: readonly ChatMessage[]): ConversationContext {
  const messages = prepend(context.messages, older);
  const added = messages.size - context.messages.size;
  if (added === 0) return context;
  return { ...context, messages, readUpTo: context.readUpTo ?? at(messages, added - 1)!.id };
}

/**
 * Catch-up: archived messages not known yet, in archive order, at the end, or just before the first
 * message of the current session when there is one (`before`): they were archived before it began.
 * Archive stamps are too coarse (whole seconds at some servers) to place them by time.
 */
function withNewer(context: ConversationContext, newer: readonly ChatMessage[], before: string | undefined): ConversationContext {
  const position = before === undefined ? -1 : positionOf(context.messages, before);
  const messages = position === -1 ? append(context.messages, ...newer) : insertAt(context.messages, position, newer);
  if (messages === context.messages) return context;
  if (position !== -1) return recounted({ ...context, messages });
  // Appended after everything: each new incoming one is unread.
  let incoming = 0;
  for (let p = context.messages.size; p < messages.size; p++) if (at(messages, p)!.direction === 'in') incoming++;
  return { ...context, messages, unread: context.unread + incoming };
}

/**
 * One 1:1 conversation (`chat:<bareJid>`): its messages in a `MessageStore` (append cost does not
 * grow with history, ids dedupe live, carbon and later archive copies), the read position and the
 * chat states both ways. It publishes state the chat manager computes with `reduceConversation`
 * (the manager reads conversations while deciding, so it owns their changes): each event is the
 * whole next state, one per conversation touched by an event or a socket read.
 */
export const conversationLogic = fromTransition<ConversationContext, ConversationSetEvent, ActorSystem<any>, ConversationInput>(
  (context, event) => (event.type === 'conversation.set' && event.context.jid === context.jid ? event.context : context),
  ({ input }) => input.context ?? emptyConversation(input.jid),
);

const RANK = { sending: 0, sent: 1, delivered: 2, displayed: 3, error: -1 } as const;

/**
 * XEP-0333 §6: "A Chat Marker Indicates that all messages up to and including that message 'id' have been marked."
 * §7: "Chat Markers MUST only move forward." and "Chat Markers for unknown messages MUST be ignored by the client."
 * Walks back from the marked message and stops at the first outgoing message already that far,
 * since an earlier marker covered everything before it.
 */
export function markUpTo(messages: MessageStore<ChatMessage>, id: string, state: 'delivered' | 'displayed'): MessageStore<ChatMessage> {
  const position = positionOf(messages, id);
  if (position === -1 || at(messages, position)!.direction !== 'out') return messages;
  let result = messages;
  for (let p = position; p >= 0; p--) {
    const message = at(messages, p)!;
    if (message.direction !== 'out' || message.state === 'error') continue;
    if (RANK[message.state] >= RANK[state]) break;
    result = update(result, message.id, (m) => ({ ...m, state }));
  }
  return result;
}

/** Incoming messages after the message `readUpTo` (all of them when undefined or unknown). */
export function unreadAfter(messages: MessageStore<ChatMessage>, readUpTo: string | undefined): number {
  const readPosition = readUpTo === undefined ? -1 : positionOf(messages, readUpTo);
  let unread = 0;
  for (let position = readPosition + 1; position < messages.size; position++) {
    if (at(messages, position)!.direction === 'in') unread++;
  }
  return unread;
}

function lastId(context: ConversationContext): string | undefined {
  return newest(context.messages)?.id;
}

export type ConversationLogic = typeof conversationLogic;
