/**
 * One archive query paged through with RSM (XEP-0313 §4.3, XEP-0059 §2.2/§2.3): a pager actor per
 * query. Results reach it as `mam.result` events (routed by whoever owns the pagers); each page
 * ends with the IQ result's `<fin/>`, which moves the cursor.
 */
import { assign, enqueueActions, fromPromise, setup, type ActorRefFrom } from 'xstate';
import { StanzaError, XmppAdapterError, errorMessage } from '../../errors.js';
import type { FeatureServices } from '../feature.js';
import { buildMamQuery } from './mam.codec.js';
import { createPageFetcher, pageQueryId } from './page-fetcher.js';
import type {
  ArchivedResult,
  MamFin,
  MamPagerContext,
  MamPagerEmitted,
  MamPagerEvent,
  MamPagerFailure,
  MamPagerInput,
  MamPagerOutput,
  MamPageFetchInput,
  MamQueryAhead,
  MamQueryParams,
} from './mam.types.js';

/** The IQ parameters of the page in flight: the query, the page's queryid, the archive and the cursor. */
export function pageParams(context: Pick<MamPagerContext, 'query' | 'pageId' | 'archive' | 'direction' | 'cursor'>): MamQueryParams {
  const params: MamQueryParams = { ...context.query, queryId: context.pageId };
  if (context.archive !== undefined) params.to = context.archive;
  // XEP-0059 §2.3: the previous page is asked for "by including in its request the UID of the
  // first item from the page that has already been received (encapsulated in a <before/> element)";
  // §2.5: an empty <before/> asks for the last page, where backward paging starts.
  if (context.direction === 'backward') params.before = context.cursor ?? '';
  // §2.2: the next page: "the UID of the last item from the previous page (encapsulated in an <after/> element)".
  else if (context.cursor !== undefined) params.after = context.cursor;
  return params;
}

/** The queryid the pager's next page IQ gets. */
const nextPageId = (context: Pick<MamPagerContext, 'queryId' | 'sent'>) => pageQueryId(context.queryId, context.sent + 1);

/**
 * Whether a page that did not complete the query leaves the pager where it was: no cursor to go
 * on (an empty page), or one already used (the archive repeats itself). Paging on would loop.
 */
export function madeNoProgress(context: Pick<MamPagerContext, 'direction' | 'usedCursors'>, fin: MamFin): boolean {
  if (fin.complete) return false;
  const next = context.direction === 'backward' ? fin.first : fin.last;
  return next === undefined || context.usedCursors.includes(next);
}

/** Why an IQ ended a pager, as plain data. */
export function failureOf(error: unknown): MamPagerFailure {
  if (error instanceof StanzaError) return { code: 'stanza-error', condition: error.condition, text: error.message };
  if (error instanceof XmppAdapterError) return { code: error.code, text: error.message };
  return { code: 'bad-reply', text: errorMessage(error) };
}

/** Whether the pager will ask for a page after the one in flight by itself (`maxPages` permitting). */
function pagesOnAfterThis(context: MamPagerContext): boolean {
  return context.autoContinue && (context.maxPages === undefined || context.pages + 2 <= context.maxPages);
}

/**
 * Forward paging: the query of the page after `fin`, sent the moment the `<fin/>` is in, so the
 * server works on it while this client applies the page (2–27 ms per page of 250). The pager is on
 * that page before any of its results can arrive: they come in a later socket read, the pager moves
 * on in the microtasks of this one. Backward paging sends its next query earlier (see `aheadOf`).
 */
export function nextPageParams(context: MamPagerContext, fin: MamFin): MamQueryParams | undefined {
  if (context.direction !== 'forward' || fin.complete || madeNoProgress(context, fin) || !pagesOnAfterThis(context)) return undefined;
  return pageParams({ ...context, pageId: nextPageId(context), cursor: fin.last });
}

/**
 * Backward paging: XEP-0313 §4.2: "The archive results MUST be sorted in chronological order, both
 * within the returned results and within the ordering of RSM". So the page's first result is its
 * oldest and its id the `<before/>` of the next page, known a whole page before the `<fin/>`. The
 * server builds the next page while this client reads this one; the archive writes a page at once
 * and then waits, so without this its work and ours never overlap. Undefined when no query goes
 * ahead: forward, one already sent, no more pages wanted, or a cursor already used (no progress).
 */
function aheadOf(context: MamPagerContext, pending: readonly ArchivedResult[]): MamQueryAhead | undefined {
  const first = pending[0];
  if (context.direction !== 'backward' || context.ahead || !first || !pagesOnAfterThis(context)) return undefined;
  if (context.usedCursors.includes(first.archiveId)) return undefined;
  return { pageId: nextPageId(context), cursor: first.archiveId, results: [] };
}

/**
 * XEP-0313 §8.2: "it MUST also check that the query ID for a result matches that of an open
 * query". A page holds at most `max` results (a flooding archive cannot grow it) and no archive
 * id twice. Returns `page` with the results of `pageId` among `results` added (the same array when none is).
 */
function collectResults(page: ArchivedResult[], pageId: string, max: number, results: readonly ArchivedResult[]): ArchivedResult[] {
  let collected = page;
  let seen: Set<string> | undefined;
  for (const result of results) {
    if (result.queryId !== pageId || collected.length >= max) continue;
    // One set per socket read's batch, not a scan of the page per result (pages of 250).
    seen ??= new Set(collected.map((r) => r.archiveId));
    if (seen.has(result.archiveId)) continue;
    if (collected === page) collected = [...page];
    seen.add(result.archiveId);
    collected.push(result);
  }
  return collected;
}

/** Why the pager's input cannot be used (nothing is sent then), or undefined. */
function inputProblem(context: MamPagerContext): XmppAdapterError | undefined {
  const { maxPages } = context;
  if (maxPages !== undefined && (!Number.isInteger(maxPages) || maxPages < 1)) {
    return new XmppAdapterError('invalid-argument', 'MAM pager: maxPages must be a positive integer');
  }
  const query = buildMamQuery(pageParams({ ...context, pageId: nextPageId(context) }));
  return query instanceof XmppAdapterError ? query : undefined;
}

function initialContext(input: MamPagerInput): MamPagerContext {
  return {
    queryId: input.queryId,
    query: input.query,
    direction: input.direction === 'forward' ? 'forward' : 'backward',
    archive: input.archive,
    autoContinue: input.autoContinue ?? true,
    maxPages: input.maxPages,
    timeout: input.timeout,
    keepResults: input.keepResults ?? true,
    reportTo: input.reportTo,
    cursor: input.from,
    usedCursors: input.from === undefined ? [] : [input.from],
    sent: 0,
    pageId: pageQueryId(input.queryId, 1),
    pending: [],
    ahead: undefined,
    results: [],
    pages: 0,
    first: undefined,
    last: undefined,
    lastFin: undefined,
    failure: undefined,
    cancelled: false,
  };
}

export function createMamPagerLogic(services: Pick<FeatureServices, 'iq'>) {
  const fetcher = createPageFetcher(services);
  return setup({
    types: {
      context: {} as MamPagerContext,
      events: {} as MamPagerEvent,
      input: {} as MamPagerInput,
      output: {} as MamPagerOutput,
      emitted: {} as MamPagerEmitted,
    },
    actors: {
      // Stopping this child (leaving `querying`, or stopping the pager) aborts the signal, which
      // withdraws the IQ from the tracker: a late reply is then ignored.
      fetchPage: fromPromise<MamFin, MamPageFetchInput>(({ input, signal }) => fetcher.fetch(input, signal)),
    },
    guards: {
      queryInvalid: ({ context }) => inputProblem(context) !== undefined,
      noProgress: ({ context }, fin: MamFin) => madeNoProgress(context, fin),
      finished: ({ context }) =>
        context.lastFin?.complete === true || (context.maxPages !== undefined && context.pages >= context.maxPages),
      autoContinue: ({ context }) => context.autoContinue,
    },
    actions: {
      collect: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'mam.result' && event.type !== 'mam.results') return;
        let results: readonly ArchivedResult[];
        if (event.type === 'mam.result') {
          const { type: _type, ...result } = event;
          results = [result];
        } else results = event.results;
        const { pageId, query, ahead } = context;
        const pending = collectResults(context.pending, pageId, query.max, results);
        const aheadResults = ahead && collectResults(ahead.results, ahead.pageId, query.max, results);
        const next = aheadOf(context, pending);
        if (next) {
          const params = pageParams({ ...context, pageId: next.pageId, cursor: next.cursor });
          enqueue(() => fetcher.sendAhead(params, context.timeout));
          enqueue.assign({ pending, ahead: next, sent: context.sent + 1 });
        } else if (pending !== context.pending || (ahead && aheadResults !== ahead.results)) {
          enqueue.assign({ pending, ahead: ahead && { ...ahead, results: aheadResults! } });
        }
      }),
      // The page's query: the one sent ahead when it asks for this page, else a new one.
      startPage: enqueueActions(({ context, enqueue }) => {
        const { ahead } = context;
        if (ahead && ahead.cursor === context.cursor) {
          enqueue.assign({ pageId: ahead.pageId, pending: ahead.results, ahead: undefined });
          return;
        }
        // The <fin/> named another first result (or none): that query asked for the wrong page.
        if (ahead) enqueue(() => fetcher.withdraw(ahead.pageId));
        enqueue.assign({ pageId: nextPageId(context), sent: context.sent + 1, pending: [], ahead: undefined });
      }),
      withdrawAhead: enqueueActions(({ context, enqueue }) => {
        const { ahead } = context;
        if (!ahead) return;
        enqueue(() => fetcher.withdraw(ahead.pageId));
        enqueue.assign({ ahead: undefined });
      }),
      recordPage: assign(({ context }, fin: MamFin) => {
        const backward = context.direction === 'backward';
        const cursor = backward ? fin.first : fin.last;
        // An archive that repeats results of an earlier page (against XEP-0059) adds nothing twice.
        const known = context.keepResults ? new Set(context.results.map((r) => r.archiveId)) : undefined;
        const fresh = known ? context.pending.filter((r) => !known.has(r.archiveId)) : context.pending;
        return {
          // Archive order throughout: an older page goes in front, a newer one behind.
          results: !context.keepResults ? context.results : backward ? [...fresh, ...context.results] : [...context.results, ...fresh],
          cursor,
          usedCursors: cursor === undefined ? context.usedCursors : [...context.usedCursors, cursor],
          pages: context.pages + 1,
          first: backward ? (fin.first ?? context.first) : (context.first ?? fin.first),
          last: backward ? (context.last ?? fin.last) : (fin.last ?? context.last),
          lastFin: fin,
        };
      }),
      emitPage: enqueueActions(({ context, enqueue }) => {
        const page: MamPagerEmitted = {
          type: 'mam.page',
          queryId: context.queryId,
          index: context.pages,
          results: context.pending,
          fin: context.lastFin!,
        };
        enqueue.emit(page);
        if (context.reportTo) enqueue.sendTo(context.reportTo, page);
      }),
      failWith: assign((_, failure: MamPagerFailure) => ({ failure })),
    },
  }).createMachine({
    id: 'mamPager',
    context: ({ input }) => initialContext(input),
    initial: 'idle',
    output: ({ context }) => {
      const output: MamPagerOutput = {
        queryId: context.queryId,
        results: context.results,
        archiveComplete: context.lastFin?.complete === true,
        pages: context.pages,
      };
      if (context.first !== undefined) output.first = context.first;
      if (context.last !== undefined) output.last = context.last;
      if (context.failure !== undefined) output.failure = context.failure;
      if (context.cancelled) output.cancelled = true;
      return output;
    },
    states: {
      // Checks the query once before anything is sent: an unusable one fails without an IQ.
      idle: {
        always: [
          {
            guard: 'queryInvalid',
            target: 'failed',
            actions: {
              type: 'failWith',
              params: ({ context }) => failureOf(inputProblem(context)),
            },
          },
          { target: 'querying' },
        ],
      },
      querying: {
        entry: 'startPage',
        invoke: {
          src: 'fetchPage',
          input: ({ context }) => ({
            params: pageParams(context),
            timeout: context.timeout,
            next: (fin: MamFin) => nextPageParams(context, fin),
          }),
          onDone: [
            {
              guard: { type: 'noProgress', params: ({ event }) => event.output },
              target: 'failed',
              actions: {
                type: 'failWith',
                params: { code: 'no-progress', text: 'the archive returned no new page without saying it was complete' },
              },
            },
            {
              target: 'pageReceived',
              actions: [{ type: 'recordPage', params: ({ event }) => event.output }, 'emitPage'],
            },
          ],
          onError: { target: 'failed', actions: { type: 'failWith', params: ({ event }) => failureOf(event.error) } },
        },
        on: {
          // collect keeps only what the page in flight takes (XEP-0313 §8.2, see collectResults).
          'mam.result': { actions: 'collect' },
          'mam.results': { actions: 'collect' },
          'mam.cancel': 'cancelled',
        },
      },
      pageReceived: {
        always: [
          { guard: 'finished', target: 'complete' },
          { guard: 'autoContinue', target: 'querying' },
        ],
        on: { 'mam.next': 'querying', 'mam.cancel': 'cancelled' },
      },
      complete: { type: 'final', entry: 'withdrawAhead' },
      cancelled: { type: 'final', entry: ['withdrawAhead', assign({ cancelled: true })] },
      failed: { type: 'final', entry: 'withdrawAhead' },
    },
  });
}

export type MamPagerLogic = ReturnType<typeof createMamPagerLogic>;
export type MamPagerActor = ActorRefFrom<MamPagerLogic>;
