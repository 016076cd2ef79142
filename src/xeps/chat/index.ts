import { defineFeature, type FeatureModule } from '../feature.js';
import { NS_MARKERS, NS_RECEIPTS, NS_SID, routeChatStanza } from './chat.codec.js';
import { NS_CHATSTATES } from './chat-states.codec.js';
import { NS_CORRECT, NS_RETRACT } from './edits.codec.js';
import { createChatLogic, type ChatLogicOptions } from './chat.machine.js';
import type { ChatRoutedEvent } from './chat.types.js';

const NS_CLIENT = 'jabber:client';

/**
 * 1:1 chat (RFC 6121 §5) with XEP-0359 ids, XEP-0203 stamps, XEP-0184 receipts, XEP-0333 markers,
 * XEP-0085 chat states, XEP-0308 corrections and XEP-0424 retractions: one `chat:<bareJid>` actor
 * per conversation under the `chat` manager.
 */
export function createChatFeature(options: ChatLogicOptions = {}): FeatureModule<ChatRoutedEvent> {
  return defineFeature<ChatRoutedEvent>({
    id: 'chat',
    spec: [
      { xep: 'XEP-0066', version: '1.5', url: 'https://xmpp.org/extensions/xep-0066.html' },
      { xep: 'XEP-0085', version: '2.1', url: 'https://xmpp.org/extensions/xep-0085.html' },
      { xep: 'XEP-0184', version: '1.4.0', url: 'https://xmpp.org/extensions/xep-0184.html' },
      { xep: 'XEP-0203', version: '2.0', url: 'https://xmpp.org/extensions/xep-0203.html' },
      { xep: 'XEP-0308', version: '1.1', url: 'https://xmpp.org/extensions/xep-0308.html' },
      { xep: 'XEP-0333', version: '0.4', url: 'https://xmpp.org/extensions/xep-0333.html' },
      { xep: 'XEP-0334', version: '1.0.0', url: 'https://xmpp.org/extensions/xep-0334.html' },
      { xep: 'XEP-0359', version: '0.7.0', url: 'https://xmpp.org/extensions/xep-0359.html' },
      { xep: 'XEP-0424', version: '0.4.2', url: 'https://xmpp.org/extensions/xep-0424.html' },
    ],
    // XEP-0184 §6: "If an entity supports the Message Delivery Receipts protocol, it MUST report that".
    // XEP-0085 §4, XEP-0308 §2 and XEP-0424 §2 ask the same of their namespaces.
    discoFeatures: [NS_CHATSTATES, NS_CORRECT, NS_MARKERS, NS_RECEIPTS, NS_RETRACT, NS_SID],
    // `<body/>` and `<error/>` inherit jabber:client; an ack, a marker or a standalone chat state
    // carries only its own element.
    handles: [
      { stanza: 'message', ns: NS_CLIENT },
      { stanza: 'message', ns: NS_RECEIPTS },
      { stanza: 'message', ns: NS_MARKERS },
      { stanza: 'message', ns: NS_CHATSTATES },
      { stanza: 'message', ns: NS_RETRACT },
    ],
    route: (stanza, context) => routeChatStanza(stanza, context),
    logic: (services) => createChatLogic(services, options),
    lifetime: 'session',
    // A socket read full of messages is one manager transition (`chat.batch`).
    batches: true,
    tracksOutbound: true,
    // The session forwards these app events to the `chat` actor.
    intents: ['chat.send', 'chat.markRead', 'chat.compose', 'chat.correct', 'chat.retract'],
  });
}

/** The chat feature with default options (receipts requested, 10 s pause delay). */
export const chat = /*#__PURE__*/ createChatFeature();

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
  usableId,
  type OutgoingChat,
} from './chat.codec.js';
export { CHAT_STATES, NS_CHATSTATES, buildChatState, chatStateOf, isChatState } from './chat-states.codec.js';
export {
  NS_CORRECT,
  NS_FALLBACK,
  NS_HINTS,
  NS_RETRACT,
  RETRACTION_FALLBACK,
  buildRetraction,
  replaceIdOf,
  retractIdOf,
  type OutgoingRetraction,
} from './edits.codec.js';
export {
  DEFAULT_PAUSE_DELAY,
  conversationId,
  createChatLogic,
  sendMessage,
  type ChatLogic,
  type ChatLogicOptions,
} from './chat.machine.js';
export { LOOKBACK, conversationLogic, findByWireId, markUpTo, wireIdOf, type ConversationLogic } from './conversation.machine.js';
export { connectChat, connectChats, type ChatsView, type ConversationView } from './chat.connect.js';
export type * from './chat.types.js';
