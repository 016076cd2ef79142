import type { Element } from '@xmpp/xml';
import { bareJid } from '../../jid.js';
import { isBlockedBy } from '../blocking/blocking.connect.js';
import type { FeatureServices } from '../feature.js';
import { lookup, withEntry } from '../keyed-record.js';
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

/** The part of XState's `enqueue` the chat manager uses. */
export interface ChatEnqueue {
  (effect: () => void): void;
  spawnChild(src: 'conversation', options: { id: string; systemId: string; input: { jid: string } }): void;
  sendTo(to: string, event: ConversationEvent): void;
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
  services: Pick<FeatureServices, 'send' | 'notify' | 'logger'>;
  requestReceipts: boolean;
  pauseDelay: number;
  now(): number;
  newId(): string;
}

/** The child id (and system id) of the conversation with `peer` (a bare JID). */
export function conversationId(peer: string): `chat:${string}` {
  return `chat:${peer}`;
}

const pauseTimerId = (peer: string) => `pause:${peer}`;

/**
 * The tools for one manager event, as one object with its methods on the prototype (this runs for
 * every message: no closures to build per event). What the handlers change in the manager's own
 * context (`conversations`, `unread`) accumulates here and is assigned once at the end.
 */
export class ChatStep implements ChatTools {
  readonly context: ChatContext;
  readonly requestReceipts: boolean;
  readonly ownBare: string | undefined;
  // Plain function fields (handlers pass `newId` along unbound).
  readonly now: () => number;
  readonly newId: () => string;
  conversations: string[];
  unread: Record<string, number>;
  private readonly spawned = new Set<string>();

  constructor(private readonly setup: ChatStepSetup) {
    this.context = setup.context;
    this.requestReceipts = setup.requestReceipts;
    this.ownBare = bareJid(setup.context.me);
    this.now = setup.now;
    this.newId = setup.newId;
    this.conversations = setup.context.conversations;
    this.unread = setup.context.unread;
  }

  conversation(peer: string): ConversationContext | undefined {
    return this.setup.children[conversationId(peer)]?.getSnapshot().context;
  }

  deliver(peer: string, event: ConversationEvent, spawn: boolean): void {
    const id = conversationId(peer);
    if (!this.setup.children[id] && !this.spawned.has(id)) {
      if (!spawn) return;
      this.setup.enqueue.spawnChild('conversation', { id, systemId: id, input: { jid: peer } });
      this.spawned.add(id);
      this.conversations = [...this.conversations, peer];
    }
    this.setup.enqueue.sendTo(id, event);
  }

  // Stanzas are built while resolving and written when the actions execute.
  write(stanza: Element): void {
    const { services } = this.setup;
    this.setup.enqueue(() => services.send(stanza));
  }

  added(peer: string, message: ChatMessage): void {
    if (message.direction === 'in') this.unread = withEntry(this.unread, peer, (lookup(this.unread, peer) ?? 0) + 1);
    const { services } = this.setup;
    this.setup.enqueue(() => services.notify({ type: 'message', conversation: peer, message }));
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
    const { logger } = this.setup.services;
    this.setup.enqueue(() => logger.warn(message, data));
  }
}
