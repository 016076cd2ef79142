/**
 * xmpp-adapter in the MAM paging benchmark: `createXmppClient` with the default features, logged
 * in (not timed), then `client.archive.loadAll(peer, { max: pageSize })`, which resolves once the
 * archive said `complete`. What the app holds is the `chat:<peer>` conversation's MessageStore.
 */
import { createXmppClient, type XmppClient } from '../../src/index.js';
import { toArray, type MessageStore } from '../../src/store/message-store.js';
import type { ChatMessage } from '../../src/xeps/chat/index.js';
import type { OpenMam } from './mam-variants.js';

function conversationStore(client: XmppClient, peer: string): MessageStore<ChatMessage> {
  const conversation = client.actor.system.get(`chat:${peer}`);
  if (!conversation) throw new Error(`xmpp-adapter: no chat:${peer} conversation after loadAll`);
  return conversation.getSnapshot().context.messages as MessageStore<ChatMessage>;
}

export const oursMam: OpenMam = async (service, account) => {
  const client = createXmppClient({ service, domain: account.domain, username: account.username, password: account.password });
  try {
    await client.start();
  } catch (err) {
    await client.stop();
    throw err;
  }
  return {
    async loadAll(peer, pageSize) {
      const outcome = await client.archive.loadAll(peer, { max: pageSize });
      if (!outcome.complete) throw new Error(`xmpp-adapter: loadAll ended without complete after ${outcome.pages} pages`);
      const store = conversationStore(client, peer);
      return {
        messages: store.size,
        pages: outcome.pages,
        // The archive id is the message's stanza-id when the store kept it, else its dedupe key.
        archiveIds: () => toArray(store).map((m) => m.stanzaId ?? m.id),
        originIds: () => toArray(store).map((m) => m.originId),
      };
    },
    stop: () => client.stop(),
  };
};
