import type { Element } from '@xmpp/xml';
import { assign, enqueueActions, setup, type ActorRefFrom } from 'xstate';
import { bareJid, normalizeJid } from '../../jid.js';
import { at, has, positionOf } from '../../store/message-store.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { buildChatMessage, buildMarker, buildReceipt, peerOf, toChatMessage } from './chat.codec.js';
import type { ChatContext, ChatEvent, ChatMessage, ConversationEvent, ParsedChatMessage } from './chat.types.js';
import { conversationLogic, type ConversationLogic } from './conversation.machine.js';

/** The child id (and system id) of the conversation with `bareJid`. */
export function conversationId(peer: string): `chat:${string}` {
  return `chat:${peer}`;
}

export interface ChatLogicOptions {
  /** Wall clock in ms since the epoch, for message stamps. @default Date.now */
  now?: () => number;
  /** Ids for outgoing messages (stanza `id` = origin-id). @default crypto.randomUUID */
  newId?: () => string;
}

/**
 * Sends `body` to `to` through a running chat manager (the actor, or the client's session system).
 * The message appears in `chat:<bare to>` with state `sent`.
 */
export function sendMessage(chat: { send(event: ChatEvent): void }, to: string, body: string): void {
  chat.send({ type: 'chat.send', to, body });
}

/**
 * The chat manager: one `chat:<bareJid>` child per conversation, spawned on the first message in
 * or out. It parses nothing itself (route did), stamps and ids messages, answers XEP-0184 receipt
 * requests, and writes outgoing messages.
 */
export function createChatLogic(services: FeatureServices, options: ChatLogicOptions = {}) {
  const now = options.now ?? (() => Date.now());
  const newId = options.newId ?? (() => globalThis.crypto.randomUUID());

  return setup({
    types: {
      context: {} as ChatContext,
      events: {} as ChatEvent,
      input: {} as FeatureInput,
    },
    actors: { conversation: conversationLogic },
    actions: {
      rememberJid: assign({ me: ({ context, event }) => (event.type === 'session.online' ? event.jid : context.me) }),
      handle: enqueueActions(({ context, event, enqueue, self }) => {
        const children = self.getSnapshot().children as Record<string, ActorRefFrom<ConversationLogic> | undefined>;
        let conversations = context.conversations;

        /** Delivers to the conversation with `peer`, spawning it when `spawn` allows. */
        const deliver = (peer: string, conversationEvent: ConversationEvent, spawn: boolean) => {
          const id = conversationId(peer);
          if (!children[id]) {
            if (!spawn) return;
            enqueue.spawnChild('conversation', { id, systemId: id, input: { jid: peer } });
            conversations = [...conversations, peer];
          }
          enqueue.sendTo(id, conversationEvent);
        };
        const known = (peer: string, messageId: string) => {
          const child = children[conversationId(peer)];
          return child !== undefined && has(child.getSnapshot().context.messages, messageId);
        };
        const ownBare = bareJid(context.me);
        // Stanzas are built while resolving and written when the actions execute, so that
        // resolving a transition (e.g. by a test model walking the graph) writes nothing.
        const write = (stanza: Element) => enqueue(() => services.send(stanza));

        const receive = (parsed: ParsedChatMessage, direction: 'in' | 'out', live: boolean) => {
          const peer = peerOf(direction, parsed);
          if (peer === undefined) return;
          const message = toChatMessage(parsed, direction, now(), newId, context.me);
          const duplicate = known(peer, message.id);
          // XEP-0184 §5.5: "An entity MUST NOT send an ack message when a user views messages that have
          // been archived or stored on the client or the server", so only live, first deliveries are acked;
          // XEP-0280 §10.4: "Carbon copies of messages MUST NOT be auto-replied to under any circumstances."
          if (live && !duplicate && parsed.receiptRequested && parsed.idAttr !== undefined && bareJid(parsed.from) !== ownBare) {
            write(buildReceipt(parsed.from, parsed.idAttr, parsed.type, newId()));
          }
          if (!duplicate) deliver(peer, { type: 'conversation.add', message }, true);
        };

        switch (event.type) {
          case 'chat.message':
            receive(event.message, 'in', true);
            break;
          case 'chat.carbon':
            receive(event.message, event.direction, false);
            break;
          case 'chat.receipt': {
            // Only the partner's receipts count: a receipt is looked up in the conversation with its
            // sender, so a third party cannot mark someone else's message as delivered.
            const peer = bareJid(event.from);
            if (peer !== undefined) deliver(peer, { type: 'conversation.delivered', id: event.id }, false);
            break;
          }
          case 'chat.bounce': {
            const peer = bareJid(event.from);
            if (peer !== undefined) deliver(peer, { type: 'conversation.bounced', id: event.id, error: event.error }, false);
            break;
          }
          case 'chat.marker': {
            // Like receipts: only the conversation partner can mark messages of that conversation.
            const peer = bareJid(event.from);
            const state = event.marker === 'received' ? 'delivered' : 'displayed';
            if (peer !== undefined) deliver(peer, { type: 'conversation.marked', id: event.id, state }, false);
            break;
          }
          case 'chat.markRead': {
            const peer = bareJid(event.jid);
            const child = peer === undefined ? undefined : children[conversationId(peer)];
            if (peer === undefined || child === undefined) break;
            const { messages, markerSent } = child.getSnapshot().context;
            const target = event.id === undefined ? messages.size - 1 : positionOf(messages, event.id);
            if (target === -1) break;
            const sentUpTo = markerSent === undefined ? -1 : positionOf(messages, markerSent);
            let marked: string | undefined;
            for (let p = target; p > sentUpTo; p--) {
              const message = at(messages, p)!;
              if (message.direction !== 'in' || message.markableId === undefined) continue;
              // XEP-0333 §5.3: "an entity MUST NOT send a Chat Marker to mark up to a Chat Marker" (only content messages are markable here).
              write(buildMarker(peer, message.markableId, 'displayed', newId()));
              marked = message.id;
              break;
            }
            const update: ConversationEvent = { type: 'conversation.markRead' };
            if (event.id !== undefined) update.id = event.id;
            if (marked !== undefined) update.markerSent = marked;
            deliver(peer, update, false);
            break;
          }
          case 'chat.send': {
            const to = normalizeJid(event.to);
            const peer = bareJid(event.to);
            if (to === undefined || peer === undefined || typeof event.body !== 'string' || event.body.length === 0) {
              enqueue(() => services.logger.warn('chat.send ignored: needs a JID and a non-empty body', { to: event.to }));
              break;
            }
            const id = newId();
            // `sent` = handed to the stream's queue (XEP-0198 acks are not tracked per message yet).
            const message: ChatMessage = {
              id,
              direction: 'out',
              from: context.me ?? '',
              to,
              body: event.body,
              stamp: new Date(now()).toISOString(),
              originId: id,
              state: 'sent',
            };
            write(buildChatMessage({ to, body: event.body, id }));
            deliver(peer, { type: 'conversation.add', message }, true);
            break;
          }
          default:
            break;
        }
        if (conversations !== context.conversations) enqueue.assign({ conversations });
      }),
    },
  }).createMachine({
    id: 'chat',
    context: ({ input }) => ({ me: input.jid, conversations: [] }),
    on: {
      'session.online': { actions: 'rememberJid' },
      'chat.message': { actions: 'handle' },
      'chat.carbon': { actions: 'handle' },
      'chat.receipt': { actions: 'handle' },
      'chat.bounce': { actions: 'handle' },
      'chat.marker': { actions: 'handle' },
      'chat.send': { actions: 'handle' },
      'chat.markRead': { actions: 'handle' },
    },
  });
}

export type ChatLogic = ReturnType<typeof createChatLogic>;
