import { has } from '../../store/message-store.js';
import { peerOf, toChatMessage } from './chat.codec.js';
import { receive } from './chat.inbound.js';
import type { ChatTools } from './chat.tools.js';
import type { ChatArchivedEvent, ChatMessage, ParsedChatMessage } from './chat.types.js';

/** A message the conversation shows: a body that is neither a correction nor a retraction's fallback. */
function isContent(message: ParsedChatMessage): boolean {
  return message.body !== undefined && message.replace === undefined && message.retract === undefined;
}

/**
 * One page of the own archive, in archive order. Content goes to each conversation in one step per
 * page (in front for scrollback, by time at the end for catch-up); then what the page says about
 * other messages (receipts, markers, corrections, retractions) is applied the way live messages'
 * is, never acked (XEP-0184 §5.5: no receipts for archived messages) and without chat states (they
 * were true when sent, not now). Returns how many messages were new.
 */
export function receiveArchived(tools: ChatTools, event: ChatArchivedEvent): number {
  const pages = new Map<string, ChatMessage[]>();
  for (const { direction, message } of event.results) {
    const peer = peerOf(direction, message);
    if (peer === undefined || !isContent(message)) continue;
    if (direction === 'in' && tools.isBlocked(message.from)) continue;
    const stored = toChatMessage(message, direction, tools.now(), tools.newId, tools.context.me);
    const page = pages.get(peer);
    if (page) page.push(stored);
    else pages.set(peer, [stored]);
  }

  let added = 0;
  for (const [peer, messages] of pages) {
    const known = tools.conversation(peer)?.messages;
    const seen = new Set<string>();
    const fresh = messages.filter((m) => !(known && has(known, m.id)) && !seen.has(m.id) && seen.add(m.id));
    if (fresh.length === 0) continue;
    const before = event.placement === 'newer' ? tools.sessionStartOf(peer) : undefined;
    tools.deliver(
      peer,
      { type: 'conversation.archived', messages: fresh, placement: event.placement, ...(before === undefined ? {} : { before }) },
      true,
    );
    added += fresh.length;
    // Catch-up finds what arrived while offline: that is news to the app; scrollback is not.
    if (event.placement === 'newer') for (const message of fresh) tools.added(peer, message);
  }

  for (const { direction, message } of event.results) {
    if (isContent(message)) continue;
    receive(tools, message, direction, 'archive');
  }
  if (event.placement === 'newer' && event.last !== undefined) tools.noteArchived(event.last);
  return added;
}
