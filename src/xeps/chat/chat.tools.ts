import type { Element } from '@xmpp/xml';
import type { ChatContext, ChatMessage, ConversationContext, ConversationEvent } from './chat.types.js';

/**
 * What the chat manager's handlers may do while one event is resolved: read conversations, queue
 * events to them (spawning one when allowed), queue stanzas and app notifications. Everything is
 * enqueued, so resolving a transition (e.g. by a test model) writes nothing.
 */
export interface ChatTools {
  context: ChatContext;
  /** Whether outgoing messages ask for a XEP-0184 receipt. */
  requestReceipts: boolean;
  ownBare: string | undefined;
  now(): number;
  newId(): string;
  /** The conversation's context as of now, or undefined when there is none (yet). */
  conversation(peer: string): ConversationContext | undefined;
  /** Queues `event` for the conversation with `peer`; spawns it first when `spawn` allows. */
  deliver(peer: string, event: ConversationEvent, spawn: boolean): void;
  write(stanza: Element): void;
  /**
   * After delivering a new message to the conversation with `peer`: tells the app, and counts an
   * incoming one as unread in the manager's mirror (the conversation counts it the same way).
   */
  added(peer: string, message: ChatMessage): void;
  /** Whether the blocking feature says `jid` is blocked (false without one). */
  isBlocked(jid: string): boolean;
  /** (Re)starts the timer that sends `paused` to `peer` after our last `composing`. */
  schedulePause(peer: string): void;
  cancelPause(peer: string): void;
  warn(message: string, data?: unknown): void;
}
