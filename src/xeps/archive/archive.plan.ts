/**
 * How the archive actor turns an intent into a query: which archive, which filters, which cursor
 * to start from (the stores' oldest or newest archive id, or a time), whether a running query
 * answers it already, or whether it can be answered at once. Pure: it reads the stores through the
 * actor system and returns plain data.
 */
import type { AnyActorRef, ActorRefFrom } from 'xstate';
import { bareJid } from '../../jid.js';
import { at, type Keyed, type MessageStore } from '../../store/message-store.js';
import { lookup } from '../keyed-record.js';
import { LOOKBACK } from '../chat/conversation.machine.js';
import type { ChatLogic } from '../chat/chat.machine.js';
import type { ConversationContext } from '../chat/chat.types.js';
import type {
  ArchiveContext,
  ArchiveIntent,
  ArchiveOutcome,
  CatchUpPoint,
  HistoryStatus,
  OpenQuery,
  PlannedQuery,
  QueryPurpose,
} from './archive.types.js';
import { MAX_PAGE_SIZE } from './mam.codec.js';
import type { MamPagerQuery } from './mam.types.js';

/** Page size when the intent names none; Prosody answers at most `max_archive_query_results` (50 by default). */
export const DEFAULT_PAGE_SIZE = 100;
/** A search stops after this many pages: it is for finding, not for copying the archive. */
export const MAX_SEARCH_PAGES = 10;

type System = { get(id: string): AnyActorRef | undefined };
type ChatRef = ActorRefFrom<ChatLogic>;

/** The conversation actor's context for `jid`, if there is one. */
function conversationOf(system: System, jid: string): ConversationContext | undefined {
  return system.get(`chat:${jid}`)?.getSnapshot().context as ConversationContext | undefined;
}

/** The messages of the conversation with `jid`, or of the room `jid` (its `room:<jid>` actor). */
function storeOf(system: System, jid: string, room: boolean) {
  if (!room) return conversationOf(system, jid)?.messages;
  return (
    system.get(`room:${jid}`)?.getSnapshot().context as
      { messages?: MessageStore<Keyed & { stanzaId?: string; stamp: string }> } | undefined
  )?.messages;
}

/**
 * The archive id of the oldest (or newest) message known in a conversation, looked for among the
 * oldest (newest) {@link LOOKBACK} so the scan does not grow with history.
 */
function archivedEnd(
  messages: MessageStore<Keyed & { stanzaId?: string; stamp: string }> | undefined,
  end: 'oldest' | 'newest',
): string | undefined {
  if (!messages) return undefined;
  const count = Math.min(messages.size, LOOKBACK);
  for (let i = 0; i < count; i++) {
    const id = at(messages, end === 'oldest' ? i : messages.size - 1 - i)!.stanzaId;
    if (id !== undefined) return id;
  }
  return undefined;
}

/**
 * Where catch-up starts: after the newest archive id the chat manager saw, or (without one) at the
 * newest message's time across the conversations; undefined when nothing is known.
 */
export function knownPoint(system: System): CatchUpPoint | undefined {
  const chat = system.get('chat') as ChatRef | undefined;
  if (!chat) return undefined;
  const { archivedUpTo, conversations } = chat.getSnapshot().context;
  let start: string | undefined;
  for (const jid of conversations) {
    const messages = conversationOf(system, jid)?.messages;
    const stamp = messages && at(messages, messages.size - 1)?.stamp;
    if (stamp !== undefined && (start === undefined || stamp > start)) start = stamp;
  }
  if (archivedUpTo === undefined && start === undefined) return undefined;
  const point: CatchUpPoint = {};
  if (archivedUpTo !== undefined) point.after = archivedUpTo;
  if (start !== undefined) point.start = start;
  return point;
}

export function historyOf(context: ArchiveContext, jid: string): HistoryStatus {
  return lookup(context.histories, jid) ?? { loading: false, complete: false };
}

/** The catch-up of every conversation (the one whose progress the context shows). */
export const isAccountCatchUp = (query: OpenQuery) => query.purpose === 'catchUp' && query.jid === undefined;

const requestIds = (requestId: string | undefined) => ({ requestIds: requestId === undefined ? [] : [requestId] });

export interface PlannerOptions {
  pageSize: number;
  newQueryId: () => string;
}

export function createPlanner({ pageSize, newQueryId }: PlannerOptions) {
  const open = (purpose: QueryPurpose, archive: string, extra: Partial<OpenQuery> = {}): OpenQuery => ({
    queryId: newQueryId(),
    archive,
    purpose,
    requestIds: [],
    added: 0,
    pages: 0,
    unapplied: 0,
    ...extra,
  });

  /** The catch-up query: after the newest archive id known, else from the newest message's time. */
  function planCatchUp(context: ArchiveContext, from: CatchUpPoint | undefined, requestId?: string, max?: number): PlannedQuery {
    const ownBare = bareJid(context.me)!;
    // XEP-0313 §3.5: "clients MUST NOT interpret XEP-0359 IDs in messages as archive IDs unless the
    // server advertises support for 'urn:xmpp:mam:2' specifically."
    const after = context.support === 'yes' ? from?.after : undefined;
    const query: MamPagerQuery = { max: max ?? pageSize };
    // A time is inclusive and coarse: the overlap it fetches again is dropped as duplicates.
    if (after === undefined && from?.start !== undefined) query.start = from.start;
    const input: PlannedQuery['input'] = { query, direction: 'forward', keepResults: false };
    if (after !== undefined) input.from = after;
    const point: CatchUpPoint = after !== undefined ? { after } : query.start !== undefined ? { start: query.start } : {};
    return { query: open('catchUp', ownBare, { ...requestIds(requestId), from: point }), input };
  }

  /** What an intent asks for: a query to start, one already running to wait for, or an answer now. */
  function plan(
    context: ArchiveContext,
    event: ArchiveIntent,
    system: System,
  ): PlannedQuery | { join: string } | ArchiveOutcome | undefined {
    if (event.type === 'archive.cancel') return undefined;
    const requestId = event.requestId;
    const refuse = (text: string): ArchiveOutcome | undefined =>
      requestId === undefined ? undefined : { requestId, added: 0, pages: 0, complete: false, failure: { code: 'invalid-argument', text } };
    const max = event.max ?? pageSize;
    if (!Number.isInteger(max) || max < 1 || max > MAX_PAGE_SIZE) return refuse(`max must be an integer in 1..${MAX_PAGE_SIZE}`);
    const ownBare = bareJid(context.me);
    if (ownBare === undefined) return refuse('not logged in yet');
    const running = (test: (q: OpenQuery) => boolean) => Object.values(context.queries).find(test);
    const featureFailed = (text: string): ArchiveOutcome | undefined =>
      requestId === undefined ? undefined : { requestId, added: 0, pages: 0, complete: false, failure: { code: 'feature-failed', text } };
    const unsupported = featureFailed('the account has no message archive (urn:xmpp:mam:2)');

    if (event.type === 'archive.catchUp') {
      if (context.support === 'no') return unsupported;
      if (event.jid === undefined) {
        const current = running((q) => q.purpose === 'catchUp' && q.jid === undefined);
        return current ? { join: current.queryId } : planCatchUp(context, knownPoint(system), requestId, max);
      }
      const jid = bareJid(event.jid);
      if (jid === undefined || jid !== event.jid) return refuse(`not a bare JID: ${String(event.jid)}`);
      const current = running((q) => q.purpose === 'catchUp' && q.jid === jid);
      if (current) return { join: current.queryId };
      const room = event.room === true;
      const messages = storeOf(system, jid, room);
      const after = archivedEnd(messages, 'newest');
      const query: MamPagerQuery = room ? { max } : { max, with: jid };
      const archive = room ? jid : ownBare;
      if (room && after === undefined) {
        // A room we know nothing of: its latest page, what join history would have shown.
        return {
          query: open('older', archive, { jid, ...requestIds(requestId) }),
          input: { query, direction: 'backward', maxPages: 1, keepResults: false },
        };
      }
      const input: PlannedQuery['input'] = { query, direction: 'forward', keepResults: false };
      if (after !== undefined) input.from = after;
      else if (messages && messages.size > 0) query.start = at(messages, messages.size - 1)!.stamp;
      return { query: open('catchUp', archive, { jid, ...requestIds(requestId) }), input };
    }
    if (event.type === 'archive.search') {
      if (context.support === 'no') return unsupported;
      const query: MamPagerQuery = { max };
      if (event.jid !== undefined) query.with = event.jid;
      if (event.start !== undefined) query.start = event.start;
      if (event.end !== undefined) query.end = event.end;
      if (event.text !== undefined) query.fullText = event.text;
      if (event.textField !== undefined) query.fullTextField = event.textField;
      if (event.afterId !== undefined || event.beforeId !== undefined) {
        // XEP-0313 §4.1: "clients that depend on these fields MUST verify that the server advertises this feature before attempting to use them".
        if (!context.extended) return featureFailed('the archive does not offer id ranges (urn:xmpp:mam:2#extended)');
        if (event.afterId !== undefined) query.afterId = event.afterId;
        if (event.beforeId !== undefined) query.beforeId = event.beforeId;
      }
      // Newest matches first, a bounded number of pages; results come back in archive order.
      return { query: open('search', ownBare, requestIds(requestId)), input: { query, direction: 'backward', maxPages: MAX_SEARCH_PAGES } };
    }
    const jid = bareJid(event.jid);
    if (jid === undefined || jid !== event.jid) return refuse(`not a bare JID: ${String(event.jid)}`);
    const purpose = event.type === 'archive.loadOlder' ? 'older' : 'all';
    const current = running((q) => q.jid === jid && q.purpose === purpose);
    if (current) return { join: current.queryId };
    const history = historyOf(context, jid);
    // XEP-0059 §2.5 paging backwards ends with the first page: nothing older exists.
    if (history.complete) return requestId === undefined ? undefined : { requestId, added: 0, pages: 0, complete: true };
    const room = event.room === true;
    if (!room && context.support === 'no') return unsupported;
    const query: MamPagerQuery = room ? { max } : { max, with: jid };
    const input: PlannedQuery['input'] = { query, direction: 'backward', keepResults: false };
    const from = history.oldest ?? archivedEnd(storeOf(system, jid, room), 'oldest');
    if (from !== undefined) input.from = from;
    if (purpose === 'older') input.maxPages = 1;
    return { query: open(purpose, room ? jid : ownBare, { jid, ...requestIds(requestId) }), input };
  }

  return { plan, planCatchUp };
}
