/**
 * The archive actor (feature `archive`): owns every MAM query this client makes, one pager child per
 * query (`mam:<queryid>`), and decides where their pages go. Results reach it from the route and
 * are passed on only to the pager of an open query whose archive sent them (XEP-0313 §8.2); 1:1
 * pages go to the chat manager (`chat.archived`), which answers `archive.applied`. On a fresh
 * (not resumed) session it catches up: forward from the newest archived message known.
 */
import { assign, enqueueActions, fromPromise, setup, type ActorRefFrom } from 'xstate';
import { bareJid } from '../../jid.js';
import { discoInfo } from '../disco/disco.machine.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { lookup, without, withEntry } from '../keyed-record.js';
import type { ChatLogic } from '../chat/chat.machine.js';
import type { ArchivedChatMessage, ChatArchivedEvent } from '../chat/chat.types.js';
import type { RoomArchivedEvent } from '../muc/room.types.js';
import type { ArchiveContext, ArchiveEmitted, ArchiveEvent, ArchiveIntent, ArchiveOutcome, OpenQuery } from './archive.types.js';
import { NS_MAM, NS_MAM_EXTENDED } from './mam.codec.js';
import { queryOfPage } from './page-fetcher.js';
import { createMamPagerLogic } from './pager.machine.js';
import { DEFAULT_PAGE_SIZE, createPlanner, historyOf, isAccountCatchUp, knownPoint } from './archive.plan.js';
import type { ArchivedResult, MamPagerOutput } from './mam.types.js';

export { DEFAULT_PAGE_SIZE, MAX_SEARCH_PAGES } from './archive.plan.js';

export interface ArchiveLogicOptions {
  /** RSM page size for catch-up and for intents without `max`. @default DEFAULT_PAGE_SIZE */
  pageSize?: number;
  /** Catch up on every fresh (not resumed) session. @default true */
  catchUpOnLogin?: boolean;
  /** Query ids (the `queryid`, also the pager's child id). @default crypto.randomUUID */
  newQueryId?: () => string;
}

/** The app events the session forwards to the archive actor. */
export const ARCHIVE_INTENTS: readonly ArchiveIntent['type'][] = [
  'archive.loadOlder',
  'archive.loadAll',
  'archive.catchUp',
  'archive.search',
  'archive.cancel',
];
const isIntent = (event: ArchiveEvent): event is ArchiveIntent => (ARCHIVE_INTENTS as readonly string[]).includes(event.type);

/** The pager's child id for a query. */
export const pagerId = (queryId: string) => `mam:${queryId}`;

const DONE_PREFIX = 'xstate.done.actor.mam:';

type ChatRef = ActorRefFrom<ChatLogic>;

/** Only 1:1 results go to the chat manager; the rest is for whoever owns rooms. */
function chatResults(results: readonly ArchivedResult[]): ArchivedChatMessage[] {
  const chat: ArchivedChatMessage[] = [];
  for (const { archiveId, entry } of results) {
    if (entry.kind === 'chat') chat.push({ archiveId, direction: entry.direction, message: entry.message });
  }
  return chat;
}

/** A room archive's groupchat results, for the room's actor. */
function groupchatResults(results: readonly ArchivedResult[]): RoomArchivedEvent['results'] {
  const groupchat: RoomArchivedEvent['results'][number][] = [];
  for (const { archiveId, stamp, entry } of results) {
    if (entry.kind === 'groupchat') groupchat.push({ archiveId, ...(stamp !== undefined ? { stamp } : {}), message: entry.message });
  }
  return groupchat;
}

/** A failed account catch-up is tried again this long after the failure, doubling each time. */
export const CATCH_UP_RETRY_MS = 5000;
export const MAX_CATCH_UP_RETRIES = 3;

export function createArchiveLogic(services: FeatureServices, options: ArchiveLogicOptions = {}) {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const catchUpOnLogin = options.catchUpOnLogin ?? true;
  const newQueryId = options.newQueryId ?? (() => globalThis.crypto.randomUUID());

  const { plan, planCatchUp } = createPlanner({ pageSize, newQueryId });

  return setup({
    types: {
      context: {} as ArchiveContext,
      events: {} as ArchiveEvent,
      input: {} as FeatureInput,
      emitted: {} as ArchiveEmitted,
    },
    actors: {
      pager: createMamPagerLogic(services),
      // XEP-0313 §7 (Determining support): an entity hosting archives "MUST advertise the
      // 'urn:xmpp:mam:2' and 'urn:xmpp:mam:2#extended' features in response to XEP-0030 requests
      // made to archiving JIDs (i.e. JIDs hosting an archive, such as users' bare JIDs)".
      checkSupport: fromPromise<{ mam: boolean; extended: boolean }, { jid: string }>(async ({ input, signal }) => {
        const info = await discoInfo(services, input.jid, undefined, { signal });
        return { mam: info.features.includes(NS_MAM), extended: info.features.includes(NS_MAM_EXTENDED) };
      }),
    },
    actions: {
      // Starts a planned query (child `mam:<queryid>`) and records it as open.
      start: enqueueActions(({ context, event, enqueue, self }) => {
        if (event.type !== 'archive.start') return;
        const { query, input } = event.planned;
        const own = query.archive === bareJid(context.me);
        enqueue.spawnChild('pager', {
          id: pagerId(query.queryId),
          input: { ...input, queryId: query.queryId, reportTo: self, ...(own ? {} : { archive: query.archive }) },
        });
        const scrollback = (query.purpose === 'older' || query.purpose === 'all') && query.jid !== undefined;
        const catchingUp = isAccountCatchUp(query);
        const opened = input.direction === 'forward' && input.from !== undefined ? { ...query, cursor: input.from } : query;
        enqueue.assign({
          queries: withEntry(context.queries, query.queryId, opened),
          histories: scrollback
            ? withEntry(context.histories, query.jid!, { ...historyOf(context, query.jid!), loading: true, error: undefined })
            : context.histories,
          catchUp: catchingUp ? { status: 'running', pages: 0, messages: 0 } : context.catchUp,
          catchUpFrom: catchingUp ? undefined : context.catchUpFrom,
        });
      }),
      // XEP-0313 §8.2: "it MUST also check that the query ID for a result matches that of an open
      // query" and the sender "matches the entity that was queried". A socket read's results go to
      // each pager in one event.
      forwardResults: enqueueActions(({ context, event, enqueue }) => {
        const routed = event.type === 'mam.result' ? [event] : event.type === 'archive.batch' ? event.events : [];
        const byQuery = new Map<string, ArchivedResult[]>();
        for (const { type: _type, ...result } of routed) {
          // Each page's IQ has its own queryid (pageQueryId); the pager checks that it is its page's.
          const queryId = queryOfPage(result.queryId);
          const query = lookup(context.queries, queryId);
          if (query === undefined || query.archive !== result.archive) {
            enqueue(() => services.logger.debug('MAM: result for no open query of that archive dropped', result.queryId));
            continue;
          }
          const results = byQuery.get(queryId);
          if (results) results.push(result);
          else byQuery.set(queryId, [result]);
        }
        for (const [queryId, results] of byQuery) enqueue.sendTo(pagerId(queryId), { type: 'mam.results', results });
      }),
      applyPage: enqueueActions(({ context, event, enqueue, system }) => {
        if (event.type !== 'mam.page') return;
        const query = lookup(context.queries, event.queryId);
        if (query === undefined) return;
        const next: OpenQuery = { ...query, pages: query.pages + 1 };
        const pageLast = event.results.at(-1)?.archiveId;
        if (query.purpose === 'catchUp' && pageLast !== undefined) next.cursor = pageLast;
        const own = query.archive === bareJid(context.me);
        const chat = system.get('chat') as ChatRef | undefined;
        // Searches are answered with their results; room pages wait for a rooms feature.
        if (own && query.purpose !== 'search' && chat) {
          const archived: ChatArchivedEvent = {
            type: 'chat.archived',
            queryId: query.queryId,
            placement: query.purpose === 'catchUp' ? 'newer' : 'older',
            results: chatResults(event.results),
          };
          const last = event.results.at(-1)?.archiveId;
          if (last !== undefined) archived.last = last;
          if (query.cursor !== undefined) archived.after = query.cursor;
          next.unapplied = query.unapplied + 1;
          enqueue.sendTo(chat, archived);
        }
        const roomActor = own ? undefined : system.get(`room:${query.archive}`);
        if (roomActor && query.purpose !== 'search') {
          const archived: RoomArchivedEvent = {
            type: 'room.archived',
            queryId: query.queryId,
            placement: query.purpose === 'catchUp' ? 'newer' : 'older',
            results: groupchatResults(event.results),
          };
          next.unapplied = query.unapplied + 1;
          enqueue.sendTo(roomActor, archived);
        }
        // Backward queries get older pages: they go in front, so results stay in archive order.
        if (query.purpose === 'search' || (!own && !roomActor)) {
          const kept = query.results ?? [];
          next.results = query.purpose === 'catchUp' ? [...kept, ...event.results] : [...event.results, ...kept];
        }
        let { histories, catchUp } = context;
        if (query.jid !== undefined && (query.purpose === 'older' || query.purpose === 'all')) {
          const history = historyOf(context, query.jid);
          const oldest = event.fin.first ?? history.oldest;
          histories = withEntry(histories, query.jid, {
            ...history,
            complete: event.fin.complete,
            ...(oldest === undefined ? {} : { oldest }),
          });
        }
        if (isAccountCatchUp(query)) {
          catchUp = { ...catchUp, pages: catchUp.pages + 1, messages: catchUp.messages + event.results.length };
          if (event.fin.count !== undefined) catchUp.total = event.fin.count;
        }
        enqueue.assign({ queries: withEntry(context.queries, query.queryId, next), histories, catchUp });
      }),
      countApplied: assign(({ context, event }) => {
        if (event.type !== 'archive.applied') return {};
        const query = lookup(context.queries, event.queryId);
        if (query === undefined) return {};
        const next = { ...query, unapplied: query.unapplied - 1, added: query.added + event.added };
        return { queries: withEntry(context.queries, query.queryId, next) };
      }),
      pagerDone: assign(({ context, event }) => {
        if (!event.type.startsWith(DONE_PREFIX)) return {};
        const output = (event as { output: MamPagerOutput }).output;
        const query = lookup(context.queries, output.queryId);
        return query === undefined ? {} : { queries: withEntry(context.queries, query.queryId, { ...query, output }) };
      }),
      // A query is over when its pager is and every page it sent the chat manager is applied.
      finishQueries: enqueueActions(({ context, enqueue }) => {
        let { queries, histories, catchUp, unfinishedCatchUp, catchUpFailures } = context;
        for (const query of Object.values(context.queries)) {
          const { output } = query;
          // Every page reported and applied: a page report still on its way would otherwise be lost.
          if (output === undefined || query.unapplied > 0 || query.pages < output.pages) continue;
          queries = without(queries, query.queryId);
          const failure = output.failure;
          const complete = output.archiveComplete;
          if (query.jid !== undefined && (query.purpose === 'older' || query.purpose === 'all')) {
            const history = lookup(histories, query.jid) ?? { loading: false, complete: false };
            histories = withEntry(histories, query.jid, { ...history, loading: false, ...(failure ? { error: failure.text } : {}) });
          }
          if (isAccountCatchUp(query)) {
            catchUp = failure
              ? { ...catchUp, status: 'failed', error: failure.text }
              : { ...catchUp, status: output.cancelled ? 'idle' : 'complete' };
            const finished = !failure && !output.cancelled;
            unfinishedCatchUp = finished ? undefined : query.cursor !== undefined ? { after: query.cursor } : query.from;
            catchUpFailures = failure ? catchUpFailures + 1 : 0;
            // A gap left open stays open until the next fresh session unless tried again now (a
            // timeout under load is the usual cause); a few times, further apart each time.
            if (failure && unfinishedCatchUp !== undefined && catchUpFailures <= MAX_CATCH_UP_RETRIES) {
              enqueue.raise({ type: 'archive.retryCatchUp' }, { delay: CATCH_UP_RETRY_MS * 2 ** (catchUpFailures - 1) });
            }
          }
          for (const requestId of query.requestIds) {
            const outcome: ArchiveOutcome = { requestId, added: query.added, pages: output.pages, complete };
            if (query.results !== undefined) outcome.results = query.results;
            if (failure) outcome.failure = failure;
            if (output.cancelled) outcome.cancelled = true;
            enqueue.emit({ type: 'archive.finished', ...outcome });
          }
        }
        if (queries !== context.queries) enqueue.assign({ queries, histories, catchUp, unfinishedCatchUp, catchUpFailures });
      }),
      cancel: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'archive.cancel') return;
        for (const query of Object.values(context.queries)) {
          if (event.jid === undefined || query.jid === event.jid) enqueue.sendTo(pagerId(query.queryId), { type: 'mam.cancel' });
        }
      }),
      // Intents are taken in any state: a query sent while offline waits in the stream's queue.
      request: enqueueActions(({ context, event, enqueue, system }) => {
        if (!isIntent(event)) return;
        const planned = plan(context, event, system);
        if (planned === undefined) return;
        if ('join' in planned) {
          const query = lookup(context.queries, planned.join)!;
          if (event.type !== 'archive.cancel' && event.requestId !== undefined) {
            const joined = { ...query, requestIds: [...query.requestIds, event.requestId] };
            enqueue.assign({ queries: withEntry(context.queries, query.queryId, joined) });
          }
        } else if ('requestId' in planned) enqueue.emit({ type: 'archive.finished', ...planned });
        else enqueue.raise({ type: 'archive.start', planned });
      }),
    },
  }).createMachine({
    id: 'archive',
    context: ({ input }) => ({
      me: input.jid,
      support: 'unknown',
      extended: false,
      queries: {},
      histories: {},
      catchUp: { status: 'idle', pages: 0, messages: 0 },
      catchUpFrom: undefined,
      unfinishedCatchUp: undefined,
      catchUpFailures: 0,
    }),
    on: {
      'mam.result': { actions: 'forwardResults' },
      'archive.batch': { actions: 'forwardResults' },
      'mam.page': { actions: 'applyPage' },
      'archive.applied': { actions: ['countApplied', 'finishQueries'] },
      'xstate.done.actor.*': { actions: ['pagerDone', 'finishQueries'] },
      'archive.cancel': { actions: 'cancel' },
      'archive.loadOlder': { actions: 'request' },
      'archive.loadAll': { actions: 'request' },
      'archive.catchUp': { actions: 'request' },
      'archive.search': { actions: 'request' },
      'archive.start': { actions: 'start' },
      'session.offline': '.offline',
    },
    initial: 'offline',
    states: {
      offline: {
        on: {
          'session.online': [
            {
              // A resumed stream missed nothing: the server kept our session and its queue.
              guard: ({ context, event }) => event.resumed && context.support !== 'unknown',
              target: 'online',
              actions: assign({ me: ({ event }) => event.jid }),
            },
            {
              target: 'checking',
              actions: assign({
                me: ({ event }) => event.jid,
                catchUpFailures: 0,
                // Taken now, before the new session's first message moves it: catching up from a
                // later point would skip what came in between. A gap that is still open (a catch-up
                // that failed midway, or one an earlier session meant to start and never did) comes
                // first: the live messages since then do not close it.
                catchUpFrom: ({ context, event, system }) =>
                  catchUpOnLogin && !event.resumed
                    ? (context.unfinishedCatchUp ?? context.catchUpFrom ?? knownPoint(system))
                    : context.catchUpFrom,
              }),
            },
          ],
        },
      },
      checking: {
        entry: assign({ support: 'checking' }),
        invoke: {
          src: 'checkSupport',
          input: ({ context }) => ({ jid: bareJid(context.me)! }),
          onDone: {
            target: 'online',
            actions: assign({ support: ({ event }) => (event.output.mam ? 'yes' : 'no'), extended: ({ event }) => event.output.extended }),
          },
          // Unknown: queries are still tried (the archive's error is then the answer), catch-up is not.
          onError: { target: 'online', actions: assign({ support: 'unknown' }) },
        },
      },
      online: {
        entry: enqueueActions(({ context, enqueue }) => {
          const catchUpRunning = Object.values(context.queries).some(isAccountCatchUp);
          // Nothing known before this session (a fresh device): no gap to close; the app pages on demand.
          if (context.catchUpFrom === undefined || context.support !== 'yes' || catchUpRunning) return;
          enqueue.raise({ type: 'archive.start', planned: planCatchUp(context, context.catchUpFrom) });
        }),
        on: {
          'archive.retryCatchUp': {
            actions: enqueueActions(({ context, enqueue }) => {
              const point = context.unfinishedCatchUp;
              if (point === undefined || context.support !== 'yes' || Object.values(context.queries).some(isAccountCatchUp)) return;
              enqueue.raise({ type: 'archive.start', planned: planCatchUp(context, point) });
            }),
          },
        },
      },
    },
  });
}

export type ArchiveLogic = ReturnType<typeof createArchiveLogic>;
