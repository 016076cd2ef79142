/**
 * xmpp-adapter in the end-to-end benchmark: two clients with the core IM features; the sender
 * sends through the `chat` actor, the receiver's app view is the `chat:<sender>` conversation
 * snapshot (a message counts as received once it is in that MessageStore).
 */
import { performance } from 'node:perf_hooks';
import type { AnyActorRef } from 'xstate';
import { createChatFeature, createXmppClient, defaultFeatures, withFeatures, type XmppClient } from '../../src/index.js';
import { at, type MessageStore } from '../../src/store/message-store.js';
import type { ChatMessage, ConversationContext } from '../../src/xeps/chat/index.js';
import type { Delivery, E2eEndpoints, E2ePair, OpenPair, SendOutcome } from './e2e-delivery.js';

type Account = E2eEndpoints['sender'];

function client(service: string, account: Account, receipts: boolean): XmppClient {
  // `requestReceipts: false` is the library option for bulk senders; the default asks for a receipt per message.
  const features = receipts ? defaultFeatures : withFeatures(defaultFeatures, createChatFeature({ requestReceipts: false }));
  return createXmppClient({ service, domain: account.domain, username: account.username, password: account.password }, { features });
}

function actorOf(c: XmppClient, systemId: string): AnyActorRef {
  const actor = c.actor.system.get(systemId);
  if (!actor) throw new Error(`no ${systemId} actor`);
  return actor;
}

/**
 * Calls `onSnapshot` with every snapshot of the conversation with `peer`. The conversation actor is
 * spawned on the first message, so this waits for the chat manager to list it first.
 */
function watchConversation(c: XmppClient, peer: string, onSnapshot: (context: ConversationContext) => void): void {
  const read = (snapshot: { context: ConversationContext }) => onSnapshot(snapshot.context);
  const attach = () => {
    const conversation = c.actor.system.get(`chat:${peer}`);
    if (!conversation) return false;
    conversation.subscribe(read);
    read(conversation.getSnapshot());
    return true;
  };
  if (attach()) return;
  const manager = actorOf(c, 'chat').subscribe(() => {
    if (attach()) manager.unsubscribe();
  });
}

/** Calls `onMessages(store, from)` whenever the conversation grows, `from` being the first new position. */
function followConversation(c: XmppClient, peer: string, onMessages: (store: MessageStore<ChatMessage>, from: number) => void): void {
  let seen = 0;
  watchConversation(c, peer, ({ messages }) => {
    if (messages.size === seen) return;
    const from = seen;
    seen = messages.size;
    onMessages(messages, from);
  });
}

/** Resolves once the last `count` outgoing messages to `peer` are all `delivered`. */
function allDelivered(c: XmppClient, peer: string, count: number): Promise<void> {
  return new Promise((resolve) => {
    watchConversation(c, peer, ({ messages: store }) => {
      // Receipts arrive roughly in order: only when the newest is delivered is a full scan worth it.
      if (store.size < count || at(store, store.size - 1)?.state !== 'delivered') return;
      for (let p = store.size - count; p < store.size; p++) if (at(store, p)?.state !== 'delivered') return;
      resolve();
    });
  });
}

/**
 * Our pair, sending through the `chat` actor. With `receipts: false` both clients run the chat
 * feature with `requestReceipts: false`: the same job as the references (no receipt per message,
 * so the server routes half as many stanzas); otherwise the default, and the burst also records
 * when every message came back `delivered`.
 */
export const oursPairWith =
  ({ receipts = true } = {}): OpenPair =>
  async ({ service, sender, receiver }: E2eEndpoints, delivery: Delivery): Promise<E2ePair> => {
    const a = client(service, sender, receipts);
    const b = client(service, receiver, receipts);
    const [, online] = await Promise.all([a.start(), b.start()]);
    if (!online.jid) throw new Error('receiver has no JID');

    followConversation(b, sender.jid, (store, from) => {
      for (let p = from; p < store.size; p++) {
        const message = at(store, p)!;
        if (message.direction === 'in') delivery.record(message.body);
      }
    });

    return {
      receiverJid: online.jid,
      sendAll(to, bodies): SendOutcome {
        const chat = actorOf(a, 'chat');
        const acknowledged = receipts ? allDelivered(a, receiver.jid, bodies.length) : undefined;
        const t0 = performance.now();
        for (const body of bodies) chat.send({ type: 'chat.send', to, body });
        const loopMs = performance.now() - t0;
        // chat.send is synchronous: the stanza is serialized and written, and the message is in
        // the sender's conversation as `sending`, when send() returns.
        return acknowledged ? { loopMs, done: Promise.resolve(), acknowledged } : { loopMs, done: Promise.resolve() };
      },
      stop: async () => {
        await Promise.all([a.stop(), b.stop()]);
      },
    };
  };

export const oursPair = oursPairWith();
