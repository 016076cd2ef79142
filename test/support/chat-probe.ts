import type { SnapshotFrom } from 'xstate';
import type { XmppClient } from '../../src/client/create-client.js';
import { connectChat, conversationId, type ChatMessage, type ConversationLogic } from '../../src/xeps/chat/index.js';

/** The messages of `client`'s conversation with `peer` as the app sees them (none before it starts). */
export function conversationWith(client: XmppClient, peer: string): ChatMessage[] {
  const ref = client.actor.system.get(conversationId(peer));
  return ref ? connectChat(ref.getSnapshot() as SnapshotFrom<ConversationLogic>).messages : [];
}

/** Polls until `check` holds for the conversation (resolves with it), or rejects after `timeoutMs`. */
export async function untilConversation(
  client: XmppClient,
  peer: string,
  check: (messages: ChatMessage[]) => boolean,
  timeoutMs = 20_000,
): Promise<ChatMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = conversationWith(client, peer);
    if (check(messages)) return messages;
    if (Date.now() > deadline) {
      throw new Error(`the conversation with ${peer} did not get there within ${timeoutMs} ms (${messages.length} messages)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
