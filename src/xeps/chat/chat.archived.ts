import { at, get, has, positionOf, type MessageStore } from '../../store/message-store.js';
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
    const fresh = event.placement === 'newer' ? placeNewer(tools, peer, messages, event.after) : placeOlder(tools, peer, messages);
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

/** Scrollback: the page's messages not known yet go in front, in archive order. */
function placeOlder(tools: ChatTools, peer: string, page: readonly ChatMessage[]): ChatMessage[] {
  const known = tools.conversation(peer)?.messages;
  const seen = new Set<string>();
  const fresh = page.filter((m) => !(known && has(known, m.id)) && !seen.has(m.id) && seen.add(m.id));
  if (fresh.length > 0) tools.deliver(peer, { type: 'conversation.archived', messages: fresh, placement: 'older' }, true);
  return fresh;
}

/**
 * Catch-up: each new message goes right after what precedes it in the archive from the same side
 * of the conversation: the message the page follows (`after`, the previous page's last or the
 * query's start) or the last known message of that direction the page repeats. Only a message of
 * the same direction is a reliable mark: our own messages sit where we wrote them, which after an
 * outage can be long before the server archived them. Without a mark a run goes before the next
 * message of its direction that the page repeats after it and that arrived live under this same
 * archive id, or no earlier than the run was archived (the sender wrote the run first: messages
 * lost with a session that could not be resumed, the next one live on a later session);
 * without that, before the first message of its direction stored after the page's start: the page
 * has not repeated that message yet, so it was archived later (a live message of a session that
 * ended before its catch-up did).
 * Without a start in memory, it goes before the first message of the current session (archived
 * before that began), or at the end. So a query that outlives its session, or overlaps messages
 * that arrived live, keeps each sender's order.
 */
function placeNewer(tools: ChatTools, peer: string, page: readonly ChatMessage[], after: string | undefined): ChatMessage[] {
  const messagesNow = () => tools.conversation(peer)?.messages;
  const start = after === undefined ? undefined : withArchiveId(messagesNow(), after);
  const marks: Partial<Record<ChatMessage['direction'], string>> = start ? { [start.direction]: start.id } : {};
  let run: ChatMessage[] = [];
  const fresh: ChatMessage[] = [];
  // The id the run goes before (undefined: at the end), in the order the comment above gives.
  // `next`: where the page goes on after the run.
  const placeOf = (direction: ChatMessage['direction'], next: number): string | undefined => {
    const messages = messagesNow();
    if (!messages) return tools.sessionStartOf(peer);
    const mark = marks[direction];
    if (mark !== undefined) return idAfter(messages, mark);
    const following = nextKnown(page, next, direction, messages, run.at(-1)!.stamp);
    if (following !== undefined) return following;
    return start ? firstAfter(messages, start.id, direction) : tools.sessionStartOf(peer);
  };
  const flush = (next: number) => {
    if (run.length === 0) return;
    const direction = run[0]!.direction;
    const mark = marks[direction];
    const before = placeOf(direction, next);
    // Where a caught-up run went and why: the one thing to look at when an order looks wrong.
    tools.debug('catch-up run placed', { peer, first: run[0]!.id, size: run.length, mark, start: start?.id, before });
    tools.deliver(
      peer,
      { type: 'conversation.archived', messages: run, placement: 'newer', ...(before === undefined ? {} : { before }) },
      true,
    );
    fresh.push(...run);
    marks[direction] = run.at(-1)!.id;
    run = [];
  };
  const seen = new Set<string>();
  for (let i = 0; i < page.length; i++) {
    const message = page[i]!;
    if (seen.has(message.id)) continue;
    seen.add(message.id);
    const known = messagesNow();
    if (known && has(known, message.id)) {
      flush(i);
      // A sender's resent copy is archived again, later: it names an older message, and the mark
      // only moves forward (else what follows it would go back before the runs already placed).
      const stored = messagesNow()!;
      const mark = marks[message.direction];
      if (mark === undefined || positionOf(stored, message.id) > positionOf(stored, mark)) marks[message.direction] = message.id;
      continue;
    }
    if (run.length > 0 && run[0]!.direction !== message.direction) flush(i);
    run.push(message);
  }
  flush(page.length);
  return fresh;
}

/**
 * The id of the first message of `direction` at or after `from` in the page that the store holds
 * where it belongs after the run: as this very archive entry (its stored stanza-id is the
 * result's archive id), or stored as arriving no earlier than the run's newest was archived
 * (`runStamp`). A copy of an older message that the sender resent is archived again, after the
 * run, but was stored before it: it places nothing.
 */
function nextKnown(
  page: readonly ChatMessage[],
  from: number,
  direction: ChatMessage['direction'],
  messages: MessageStore<ChatMessage>,
  runStamp: string,
): string | undefined {
  for (let i = from; i < page.length; i++) {
    const message = page[i]!;
    if (message.direction !== direction) continue;
    const stored = get(messages, message.id);
    // ISO 8601 UTC stamps of one format compare as strings.
    if (stored && (stored.stanzaId === message.stanzaId || stored.stamp >= runStamp)) return message.id;
  }
  return undefined;
}

/** The message with the own archive's id `archiveId`, newest first. */
function withArchiveId(messages: MessageStore<ChatMessage> | undefined, archiveId: string): ChatMessage | undefined {
  if (!messages) return undefined;
  for (let p = messages.size - 1; p >= 0; p--) {
    const message = at(messages, p)!;
    if (message.stanzaId === archiveId) return message;
  }
  return undefined;
}

/** The id of the first message of `direction` after `id` (undefined when there is none: append). */
function firstAfter(messages: MessageStore<ChatMessage>, id: string, direction: ChatMessage['direction']): string | undefined {
  for (let p = positionOf(messages, id) + 1; p > 0 && p < messages.size; p++) {
    const message = at(messages, p)!;
    if (message.direction === direction) return message.id;
  }
  return undefined;
}

/** The id of the message after `id` (undefined when `id` is the newest: append). */
function idAfter(messages: MessageStore<ChatMessage>, id: string): string | undefined {
  const position = positionOf(messages, id);
  return position === -1 ? undefined : at(messages, position + 1)?.id;
}
