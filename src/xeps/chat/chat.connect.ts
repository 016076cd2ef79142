import type { SnapshotFrom } from 'xstate';
import { positionOf, toArray, last as lastOf, at } from '../../store/message-store.js';
import type { ChatLogic } from './chat.machine.js';
import type { ChatMessage, ChatState } from './chat.types.js';
import type { ConversationLogic } from './conversation.machine.js';

/** Messages carry `corrected` (XEP-0308) and `retracted` (XEP-0424, body emptied) flags. */
export interface ConversationView {
  /** The peer's bare JID. */
  jid: string;
  /** Every message, oldest first (copies the references once; use `last` for long histories). */
  messages: ChatMessage[];
  /** The newest `count` messages, oldest first. */
  last(count: number): ChatMessage[];
  /**
   * Incoming messages after the read position: moved by `chat.markRead` here, and by the
   * `displayed` markers our other devices send (seen as sent carbons), so every device agrees.
   */
  unread: number;
  /** XEP-0085: the peer's chat state (`composing` = typing), undefined until it sends one. */
  typing: ChatState | undefined;
}

/** A UI-ready view of one `chat:<bareJid>` actor's snapshot. */
export function connectChat(snapshot: SnapshotFrom<ConversationLogic>): ConversationView {
  const { jid, messages, readUpTo, typing } = snapshot.context;
  const readPosition = readUpTo === undefined ? -1 : positionOf(messages, readUpTo);
  let unread = 0;
  for (let position = readPosition + 1; position < messages.size; position++) {
    if (at(messages, position)!.direction === 'in') unread++;
  }
  return {
    jid,
    get messages() {
      return toArray(messages);
    },
    last: (count) => lastOf(messages, count),
    unread,
    typing,
  };
}

export interface ChatsView {
  /** Bare JIDs of the conversations, in the order they started; each is `system.get(\`chat:${jid}\`)`. */
  conversations: readonly string[];
}

/** A view of the chat manager: which conversations exist. */
export function connectChats(snapshot: SnapshotFrom<ChatLogic>): ChatsView {
  return { conversations: snapshot.context.conversations };
}
