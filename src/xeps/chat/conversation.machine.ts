import { assign, setup } from 'xstate';
import { append, at, emptyStore, get, positionOf, update, type MessageStore } from '../../store/message-store.js';
import type { ChatMessage, ConversationContext, ConversationEvent, ConversationInput } from './chat.types.js';

/**
 * One 1:1 conversation (`chat:<bareJid>`): its messages in a `MessageStore` (append cost does not
 * grow with history, ids dedupe live, carbon and later archive copies) and the read position.
 * It only holds data; the chat manager parses, checks senders and writes to the wire.
 */
export const conversationLogic = setup({
  types: {
    context: {} as ConversationContext,
    events: {} as ConversationEvent,
    input: {} as ConversationInput,
  },
  actions: {
    addMessage: assign({
      messages: ({ context, event }) => (event.type === 'conversation.add' ? append(context.messages, event.message) : context.messages),
    }),
    markDelivered: assign({
      messages: ({ context, event }) => {
        if (event.type !== 'conversation.delivered') return context.messages;
        return update(context.messages, event.id, (m): ChatMessage =>
          // A receipt confirms our own message only, and never undoes a later state.
          m.direction === 'out' && (m.state === 'sending' || m.state === 'sent') ? { ...m, state: 'delivered' } : m,
        );
      },
    }),
    applyMarker: assign({
      messages: ({ context, event }) =>
        event.type === 'conversation.marked' ? markUpTo(context.messages, event.id, event.state) : context.messages,
    }),
    markBounced: assign({
      messages: ({ context, event }) => {
        if (event.type !== 'conversation.bounced') return context.messages;
        return update(context.messages, event.id, (m): ChatMessage =>
          m.direction === 'out' ? { ...m, state: 'error', error: event.error } : m,
        );
      },
    }),
    markRead: assign({
      markerSent: ({ context, event }) =>
        event.type === 'conversation.markRead' && event.markerSent !== undefined ? event.markerSent : context.markerSent,
      readUpTo: ({ context, event }) => {
        if (event.type !== 'conversation.markRead') return context.readUpTo;
        if (event.id === undefined) return context.messages.size === 0 ? context.readUpTo : lastId(context);
        return get(context.messages, event.id) ? event.id : context.readUpTo;
      },
    }),
  },
}).createMachine({
  id: 'conversation',
  context: ({ input }) => ({ jid: input.jid, messages: emptyStore<ChatMessage>(), readUpTo: undefined, markerSent: undefined }),
  on: {
    'conversation.add': { actions: 'addMessage' },
    'conversation.delivered': { actions: 'markDelivered' },
    'conversation.marked': { actions: 'applyMarker' },
    'conversation.bounced': { actions: 'markBounced' },
    'conversation.markRead': { actions: 'markRead' },
  },
});

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

function lastId(context: ConversationContext): string | undefined {
  const { tail, chunks } = context.messages;
  return (tail.at(-1) ?? chunks.at(-1)?.at(-1))?.id;
}

export type ConversationLogic = typeof conversationLogic;
