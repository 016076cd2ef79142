import type { Element } from '@xmpp/xml';
import { bareJid } from '../../jid.js';
import { isBlockedBy } from '../blocking/blocking.connect.js';
import type { FeatureServices } from '../feature.js';
import type { SentMessageRef } from '../../wire/stanza-head.js';
import { has, lookup, without, withEntry } from '../keyed-record.js';
import { get, keepNewest } from '../../store/message-store.js';
import type {
  ChatContext,
  ChatMessage,
  ConversationBouncedEvent,
  ConversationContext,
  ConversationEvent,
  ConversationInput,
  ConversationSetEvent,
} from './chat.types.js';
import { emptyConversation, reduceConversation } from './conversation.machine.js';

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
  /** Applies `event` to the conversation with `peer` (starting one when `spawn` allows); published at the end of the step. */
  deliver(peer: string, event: ConversationEvent, spawn: boolean): void;
  write(stanza: Element): void;
  /** After delivering a new message to the conversation with `peer`: tells the app. */
  added(peer: string, message: ChatMessage): void;
  /** Whether the blocking feature says `jid` is blocked (false without one). */
  isBlocked(jid: string): boolean;
  /** A message with the own archive's id `archiveId` was seen (live or paged in): catch-up starts after the newest. */
  noteArchived(archiveId: string): void;
  /** The first message added to the conversation with `peer` in the current session, if any. */
  sessionStartOf(peer: string): string | undefined;
  /** (Re)starts the timer that sends `paused` to `peer` after our last `composing`. */
  schedulePause(peer: string): void;
  cancelPause(peer: string): void;
  warn(message: string, data?: unknown): void;
  debug(message: string, data?: unknown): void;
}

/** The part of XState's `enqueue` the chat manager uses. */
export interface ChatEnqueue {
  (effect: () => void): void;
  spawnChild(src: 'conversation', options: { id: string; systemId: string; input: ConversationInput }): void;
  sendTo(to: string, event: ConversationSetEvent): void;
  cancel(id: string): void;
  raise(event: { type: 'chat.composePause'; jid: string }, options: { id: string; delay: number }): void;
}

/** What a `ChatStep` needs besides the event: set once per manager, or read once per event. */
export interface ChatStepSetup {
  context: ChatContext;
  enqueue: ChatEnqueue;
  /** The manager's children as of now (conversations by `chat:<jid>`). */
  children: Record<string, { getSnapshot(): { context: ConversationContext } } | undefined>;
  /** The blocked JIDs as the blocking actor has them now; empty without one. */
  blocked: readonly string[];
  /** The roster's contacts by bare JID; undefined without a roster feature (then nobody counts as a stranger). */
  contacts: Readonly<Record<string, unknown>> | undefined;
  services: Pick<FeatureServices, 'send' | 'notify' | 'logger'>;
  requestReceipts: boolean;
  pauseDelay: number;
  now(): number;
  newId(): string;
}

/** Conversations started by people outside the roster, at most (see `ChatStep.mayStart`). */
export const MAX_STRANGER_CONVERSATIONS = 500;

/** The child id (and system id) of the conversation with `peer` (a bare JID). */
export function conversationId(peer: string): `chat:${string}` {
  return `chat:${peer}`;
}

const pauseTimerId = (peer: string) => `pause:${peer}`;

/**
 * The tools for one manager event (or one socket read's worth of them), as one object with its
 * methods on the prototype: this runs for every message, so no closures are built per event.
 * Conversation changes are computed here with the conversation's reducer into an overlay, so that
 * later events of the same batch see them; `finish()` publishes each touched conversation once
 * (spawning new ones with their first state) and assigns the manager's own `conversations` and
 * `unread`.
 */
export class ChatStep implements ChatTools {
  readonly context: ChatContext;
  readonly requestReceipts: boolean;
  readonly ownBare: string | undefined;
  // Plain function fields (handlers pass `newId` along unbound).
  readonly now: () => number;
  readonly newId: () => string;
  private readonly overlay = new Map<string, ConversationContext>();
  /**
   * What the step does outside the actors (stanzas written, the app told, log lines), in order. It
   * runs as one action when the transition executes: one per event, not one per effect (a burst of
   * sends spent a tenth of its allocations on resolving actions).
   */
  private readonly effects: Array<() => void> = [];
  private readonly spawned = new Set<string>();
  private archivedUpTo: string | undefined;
  private sessionStart: Record<string, string>;

  constructor(private readonly setup: ChatStepSetup) {
    this.context = setup.context;
    this.requestReceipts = setup.requestReceipts;
    this.ownBare = bareJid(setup.context.me);
    this.now = setup.now;
    this.newId = setup.newId;
    this.archivedUpTo = setup.context.archivedUpTo;
    this.sessionStart = setup.context.sessionStart;
  }

  /**
   * The server's word on messages we wrote (by id and recipient): `event` goes to the conversation
   * of each, where it changes only our own message with that id, and only while `sending`.
   */
  settle(messages: readonly SentMessageRef[], event: { type: 'conversation.confirmed' } | Omit<ConversationBouncedEvent, 'id'>): void {
    for (const { id, to } of messages) {
      const peer = bareJid(to);
      const conversation = peer === undefined ? undefined : this.conversation(peer);
      const message = conversation && get(conversation.messages, id);
      if (message?.direction === 'out' && message.state === 'sending') this.deliver(peer!, { ...event, id } as ConversationEvent, false);
    }
  }

  sessionStartOf(peer: string): string | undefined {
    return lookup(this.sessionStart, peer);
  }

  noteArchived(archiveId: string): void {
    this.archivedUpTo = archiveId;
  }

  conversation(peer: string): ConversationContext | undefined {
    return this.overlay.get(peer) ?? this.setup.children[conversationId(peer)]?.getSnapshot().context;
  }

  deliver(peer: string, event: ConversationEvent, spawn: boolean): void {
    let current = this.conversation(peer);
    if (current === undefined) {
      if (!spawn || !this.mayStart(peer, event)) return;
      current = emptyConversation(peer);
      this.spawned.add(peer);
    }
    let next = reduceConversation(current, event);
    // Growth at the newest end forgets the oldest past the limit; scrollback (the user asked for it) never does.
    const growsNewest = event.type === 'conversation.add' || (event.type === 'conversation.archived' && event.placement === 'newer');
    if (growsNewest && next.messages.size > this.context.messagesInMemory) {
      next = { ...next, messages: keepNewest(next.messages, this.context.messagesInMemory) };
    }
    this.overlay.set(peer, next);
    if (event.type === 'conversation.add' && next !== current && lookup(this.sessionStart, peer) === undefined) {
      this.sessionStart = withEntry(this.sessionStart, peer, event.message.id);
    }
  }

  /**
   * A flood of messages from thousands of strangers must not start thousands of conversations:
   * past MAX_STRANGER_CONVERSATIONS, a stranger's message starts none (the server's archive keeps
   * it). Our own messages, and anyone in the roster, always may.
   */
  private mayStart(peer: string, event: ConversationEvent): boolean {
    const contacts = this.setup.contacts;
    const incoming =
      (event.type === 'conversation.add' && event.message.direction === 'in') ||
      (event.type === 'conversation.archived' && event.messages.every((m) => m.direction === 'in'));
    if (!incoming || contacts === undefined || has(contacts, peer)) return true;
    let strangers = 0;
    for (const jid of [...this.context.conversations, ...this.spawned]) if (!has(contacts, jid)) strangers++;
    if (strangers < MAX_STRANGER_CONVERSATIONS) return true;
    this.warn('a message from a stranger starts no conversation: too many already', { from: peer });
    return false;
  }

  /** Publishes the conversations this step changed and returns the manager's context update. */
  finish(): Pick<ChatContext, 'conversations' | 'unread' | 'archivedUpTo' | 'sessionStart'> | undefined {
    let { conversations, unread } = this.context;
    const { archivedUpTo, sessionStart, effects } = this;
    // Before the conversations are published, as when each effect was an action of its own.
    if (effects.length > 0)
      this.setup.enqueue(() => {
        for (const effect of effects) effect();
      });
    for (const [peer, next] of this.overlay) {
      const id = conversationId(peer);
      if (this.spawned.has(peer)) {
        this.setup.enqueue.spawnChild('conversation', { id, systemId: id, input: { jid: peer, context: next } });
        conversations = [...conversations, peer];
      } else if (next !== this.setup.children[id]?.getSnapshot().context) {
        this.setup.enqueue.sendTo(id, { type: 'conversation.set', context: next });
      }
      if ((lookup(unread, peer) ?? 0) !== next.unread)
        unread = next.unread > 0 ? withEntry(unread, peer, next.unread) : without(unread, peer);
    }
    const unchanged =
      conversations === this.context.conversations &&
      unread === this.context.unread &&
      archivedUpTo === this.context.archivedUpTo &&
      sessionStart === this.context.sessionStart;
    return unchanged ? undefined : { conversations, unread, archivedUpTo, sessionStart };
  }

  // Stanzas are built while resolving and written when the actions execute.
  write(stanza: Element): void {
    const { services } = this.setup;
    this.effects.push(() => services.send(stanza));
  }

  added(peer: string, message: ChatMessage): void {
    const { services } = this.setup;
    this.effects.push(() => services.notify({ type: 'message', conversation: peer, message }));
  }

  isBlocked(jid: string): boolean {
    return isBlockedBy(this.setup.blocked, jid);
  }

  schedulePause(peer: string): void {
    this.setup.enqueue.cancel(pauseTimerId(peer));
    this.setup.enqueue.raise({ type: 'chat.composePause', jid: peer }, { id: pauseTimerId(peer), delay: this.setup.pauseDelay });
  }

  cancelPause(peer: string): void {
    this.setup.enqueue.cancel(pauseTimerId(peer));
  }

  warn(message: string, data?: unknown): void {
    this.log('warn', message, data);
  }

  debug(message: string, data?: unknown): void {
    this.log('debug', message, data);
  }

  /** Logs once the step's actions run, not while the transition is computed. */
  private log(level: 'warn' | 'debug', message: string, data: unknown): void {
    const { logger } = this.setup.services;
    this.effects.push(() => logger[level](message, data));
  }
}
