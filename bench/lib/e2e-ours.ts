/**
 * xmpp-adapter in the end-to-end benchmark: two clients with the core IM features; the sender
 * sends through the `chat` actor, the receiver's app view is the `chat:<sender>` conversation
 * snapshot (a message counts as received once it is in that MessageStore).
 */
import { performance } from 'node:perf_hooks';
import type { AnyActorRef } from 'xstate';
import { createXmppClient, xml, type XmppClient } from '../../src/index.js';
import { at, type MessageStore } from '../../src/store/message-store.js';
import { NS_SID, type ChatMessage, type ConversationContext } from '../../src/xeps/chat/index.js';
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
 * Our pair. With `plainSend`, the sender writes a bare `<message><body/><origin-id/></message>`
 * through `client.sendStanza` instead of `chat.send`: no receipt request, so the receiver sends
 * no receipts back. A diagnostic, to tell the cost of XEP-0184 (on the server too) from the rest.
 */
export const oursPairWith =
  ({ plainSend = false } = {}): OpenPair =>
  async ({ service, sender, receiver }: E2eEndpoints, delivery: Delivery): Promise<E2ePair> => {
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
        if (plainSend) {
          const t0 = performance.now();
          bodies.forEach((body, i) => {
            const id = `m${i}`;
            a.sendStanza(xml('message', { type: 'chat', to, id }, xml('body', {}, body), xml('origin-id', { xmlns: NS_SID, id })));
          });
          return { loopMs: performance.now() - t0, done: Promise.resolve() };
        }
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

export const oursPair = oursPairWith();
