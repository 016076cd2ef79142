import { defineFeature } from '../feature.js';
import { NS_MARKERS, NS_RECEIPTS, NS_SID, routeChatStanza } from './chat.codec.js';
import { createChatLogic } from './chat.machine.js';
import type { ChatRoutedEvent } from './chat.types.js';

const NS_CLIENT = 'jabber:client';

/**
 * 1:1 chat (RFC 6121 §5) with XEP-0359 ids, XEP-0203 stamps and XEP-0184 receipts: one
 * `chat:<bareJid>` actor per conversation under the `chat` manager.
 */
export const chat = defineFeature<ChatRoutedEvent>({
  id: 'chat',
  spec: [
    { xep: 'XEP-0184', version: '1.4.0', url: 'https://xmpp.org/extensions/xep-0184.html' },
    { xep: 'XEP-0333', version: '0.4', url: 'https://xmpp.org/extensions/xep-0333.html' },
    { xep: 'XEP-0203', version: '2.0', url: 'https://xmpp.org/extensions/xep-0203.html' },
    { xep: 'XEP-0359', version: '0.7.0', url: 'https://xmpp.org/extensions/xep-0359.html' },
  ],
  // XEP-0184 §6: "If an entity supports the Message Delivery Receipts protocol, it MUST report that".
  discoFeatures: [NS_MARKERS, NS_RECEIPTS, NS_SID],
  // `<body/>` and `<error/>` inherit jabber:client; an ack message carries only `<received/>`.
  handles: [
    { stanza: 'message', ns: NS_CLIENT },
    { stanza: 'message', ns: NS_RECEIPTS },
    { stanza: 'message', ns: NS_MARKERS },
  ],
  route: (stanza, context) => routeChatStanza(stanza, context),
  logic: (services) => createChatLogic(services),
  lifetime: 'session',
});

export {
  MAX_BODY_LENGTH,
  MAX_FUTURE_SKEW_MS,
  NS_DELAY,
  NS_MARKERS,
  NS_RECEIPTS,
  NS_SID,
  buildChatMessage,
  buildMarker,
  buildReceipt,
  dedupeIdOf,
  delayStampOf,
  originIdOf,
  parseChatMessage,
  parseMessageError,
  peerOf,
  resolveStamp,
  routeChatStanza,
  toChatMessage,
  trustedStanzaId,
  type OutgoingChat,
} from './chat.codec.js';
export { conversationId, createChatLogic, sendMessage, type ChatLogic, type ChatLogicOptions } from './chat.machine.js';
export { conversationLogic, markUpTo, type ConversationLogic } from './conversation.machine.js';
export { connectChat, connectChats, type ChatsView, type ConversationView } from './chat.connect.js';
export type * from './chat.types.js';
