import type { SnapshotFrom } from 'xstate';
import { toArray, last as lastOf } from '../../store/message-store.js';
import type { ChatLogic } from './chat.machine.js';
import type { ChatMessage, ChatState } from './chat.types.js';
import type { ConversationLogic } from './conversation.machine.js';
import type { ArchiveLogic } from '../archive/archive.machine.js';
import { connectHistory, type HistoryView } from '../archive/archive.connect.js';

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
  /** Scrollback from the archive ("loading", "no more history", the last error); idle without an archive snapshot. */
  history: HistoryView;
}

/**
 * A UI-ready view of one `chat:<bareJid>` actor's snapshot; with the `mam` actor's snapshot
 * (`client.feature('archive')`) it also tells how scrollback stands.
 */
export function connectChat(snapshot: SnapshotFrom<ConversationLogic>, archive?: SnapshotFrom<ArchiveLogic>): ConversationView {
  const { jid, messages, unread, typing } = snapshot.context;
  const history = archive ? connectHistory(archive, jid) : { loading: false, complete: false, error: undefined };
  return {
    history: { loading: history.loading, complete: history.complete, error: history.error },
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
  /** The unread count of the conversation with `jid` (0 when none). */
  unread(jid: string): number;
  /** Unread messages across all conversations (an app badge). */
  unreadTotal: number;
}

/** A view of the chat manager: which conversations exist and how many unread messages each holds. */
export function connectChats(snapshot: SnapshotFrom<ChatLogic>): ChatsView {
  const { conversations, unread } = snapshot.context;
  return {
    conversations,
    unread: (jid) => (Object.hasOwn(unread, jid) ? unread[jid]! : 0),
    unreadTotal: Object.values(unread).reduce((sum, n) => sum + n, 0),
  };
}
