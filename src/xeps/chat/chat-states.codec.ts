/**
 * XEP-0085 Chat State Notifications: read the state a message carries, build a standalone
 * notification. Pure and synchronous; never throws on hostile input.
 */
import { xml, type Element } from '@xmpp/xml';
import type { ChatState } from './chat.types.js';

export const NS_CHATSTATES = 'http://jabber.org/protocol/chatstates';

export const CHAT_STATES: readonly ChatState[] = ['active', 'composing', 'paused', 'inactive', 'gone'];

export function isChatState(value: unknown): value is ChatState {
  return typeof value === 'string' && (CHAT_STATES as readonly string[]).includes(value);
}

/**
 * The chat state of `message`, or undefined when it carries none, an unknown one, or several.
 * §5.6 rule 1: "A message stanza MUST NOT contain more than one child element qualified by the
 * 'http://jabber.org/protocol/chatstates' namespace." (a stanza that does is not believed at all)
 */
export function chatStateOf(message: Element): ChatState | undefined {
  let found: ChatState | undefined;
  let count = 0;
  for (const child of message.getChildElements()) {
    if (child.getNS() !== NS_CHATSTATES) continue;
    if (++count > 1) return undefined;
    if (isChatState(child.name)) found = child.name;
  }
  return found;
}

/**
 * A standalone notification. §5.6 rule 3: it "MUST NOT contain any child elements other than the
 * chat state notification extension"; §5.4 rule 3: its type "SHOULD be set to a value of 'chat'".
 */
export function buildChatState(to: string, state: ChatState): Element {
  return xml('message', { to, type: 'chat' }, xml(state, { xmlns: NS_CHATSTATES }));
}
