/**
 * xmpp-adapter in the end-to-end benchmark: two clients with the core IM features; the sender
 * sends through the `chat` actor, the receiver's app view is the `chat:<sender>` conversation
 * snapshot (a message counts as received once it is in that MessageStore).
 */
import { performance } from 'node:perf_hooks';
import type { AnyActorRef } from 'xstate';
import { createXmppClient, type XmppClient } from '../../src/index.js';
import { at, type MessageStore } from '../../src/store/message-store.js';
import type { ChatMessage, ConversationContext } from '../../src/xeps/chat/index.js';
import type { Delivery, E2eEndpoints, E2ePair, OpenPair, SendOutcome } from './e2e-delivery.js';
import { imFeatures } from './features.js';

type Account = E2eEndpoints['sender'];

function client(service: string, account: Account): XmppClient {
  return createXmppClient(
    { service, domain: account.domain, username: account.username, password: account.password },
    { features: imFeatures() },
  );
}

function actorOf(c: XmppClient, systemId: string): AnyActorRef {
  const actor = c.actor.system.get(systemId);
  if (!actor) throw new Error(`no ${systemId} actor`);
  return actor;
}

/**
 * Calls `onMessages(store, from)` with every new position of the conversation with `peer` as the
 * store grows. The conversation actor is spawned on the first message, so this waits for the
 * chat manager to list it, then follows the conversation's own snapshots.
 */
function followConversation(c: XmppClient, peer: string, onMessages: (store: MessageStore<ChatMessage>, from: number) => void): void {
  let seen = 0;
  const read = (snapshot: { context: ConversationContext }) => {
    const { messages } = snapshot.context;
    if (messages.size === seen) return;
    const from = seen;
    seen = messages.size;
    onMessages(messages, from);
  };
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

/** Resolves once the last `count` outgoing messages to `peer` are all `delivered`. */
function allDelivered(c: XmppClient, peer: string, count: number): Promise<void> {
  return new Promise((resolve) => {
    followConversation(c, peer, (store) => {
      // Receipts arrive roughly in order: only when the newest is delivered is a full scan worth it.
      if (store.size < count || at(store, store.size - 1)?.state !== 'delivered') return;
      for (let p = store.size - count; p < store.size; p++) if (at(store, p)?.state !== 'delivered') return;
      resolve();
    });
  });
}

export const oursPair: OpenPair = async ({ service, sender, receiver }: E2eEndpoints, delivery: Delivery): Promise<E2ePair> => {
  const a = client(service, sender);
  const b = client(service, receiver);
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
      const acknowledged = allDelivered(a, receiver.jid, bodies.length);
      const t0 = performance.now();
      for (const body of bodies) chat.send({ type: 'chat.send', to, body });
      const loopMs = performance.now() - t0;
      // chat.send is synchronous: the stanza is serialized and written, and the message is in
      // the sender's conversation as `sent`, when send() returns.
      return { loopMs, done: Promise.resolve(), acknowledged };
    },
    stop: async () => {
      await Promise.all([a.stop(), b.stop()]);
    },
  };
};
