/**
 * One archive query paged through with RSM (XEP-0313 §4.3, XEP-0059 §2.2/§2.3): a pager actor per
 * query. Results reach it as `mam.result` events (routed by whoever owns the pagers); each page
 * ends with the IQ result's `<fin/>`, which moves the cursor.
 */
import { assign, enqueueActions, fromPromise, setup, type ActorRefFrom } from 'xstate';
import { StanzaError, XmppAdapterError, errorMessage } from '../../errors.js';
import type { FeatureServices } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import { buildMamQuery, parseMamFin } from './mam.codec.js';
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
  MamQueryParams,
} from './mam.types.js';

/**
 * The queryid of one page's IQ: the query's id and the page's number. Each page accepts only the
 * results of its own IQ, so an IQ that a new session sends again (XEP-0198 resend) or a query sent
 * ahead can never fill another page with its results.
 */
export function pageQueryId(queryId: string, page: number): string {
  return `${queryId}.${page}`;
}

/** The query a page's queryid belongs to (see {@link pageQueryId}). */
export function queryOfPage(pageId: string): string {
  const dot = pageId.lastIndexOf('.');
  return dot === -1 ? pageId : pageId.slice(0, dot);
}

/** The IQ parameters of the next page: the query, the page's queryid, the archive and the cursor. */
export function pageParams(
  context: Pick<MamPagerContext, 'query' | 'queryId' | 'archive' | 'direction' | 'cursor' | 'pages'>,
): MamQueryParams {
  const params: MamQueryParams = { ...context.query, queryId: pageQueryId(context.queryId, context.pages + 1) };
  if (context.archive !== undefined) params.to = context.archive;
  // XEP-0059 §2.3: the previous page is asked for "by including in its request the UID of the
  // first item from the page that has already been received (encapsulated in a <before/> element)";
  // §2.5: an empty <before/> asks for the last page, where backward paging starts.
  if (context.direction === 'backward') params.before = context.cursor ?? '';
  // §2.2: the next page: "the UID of the last item from the previous page (encapsulated in an <after/> element)".
  else if (context.cursor !== undefined) params.after = context.cursor;
  return params;
}

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

/** Sends one page's query and resolves with its `<fin/>`; aborting `signal` withdraws the IQ. */
export async function fetchPage(
  services: Pick<FeatureServices, 'iq'>,
  params: MamQueryParams,
  options: { signal?: AbortSignal; timeout?: number } = {},
): Promise<MamFin> {
  const iq = buildMamQuery(params);
  if (iq instanceof XmppAdapterError) throw iq;
  const reply = await services.iq.request(iq, options);
  const fin = parseMamFin(reply);
  if (fin instanceof StanzaParseError) throw new XmppAdapterError('bad-reply', `MAM: ${fin.reason}`);
  return fin;
}

/**
 * The query of the page after `fin`, when the pager will go on by itself (more pages, progress
 * made, `maxPages` not reached): what `fetchPage` may send before the page is even applied.
 */
export function nextPageParams(context: MamPagerContext, fin: MamFin): MamQueryParams | undefined {
  if (!context.autoContinue || fin.complete || madeNoProgress(context, fin)) return undefined;
  if (context.maxPages !== undefined && context.pages + 1 >= context.maxPages) return undefined;
  return pageParams({ ...context, pages: context.pages + 1, cursor: context.direction === 'backward' ? fin.first : fin.last });
}

/** A page query already on its way, waiting for the pager's next `fetchPage` to take it. */
interface PageAhead {
  params: string;
  fin: Promise<MamFin>;
  controller: AbortController;
}

/**
 * Pages a query with the next page's IQ sent the moment a `<fin/>` arrives, so the server works on
 * it while this client applies the page (applying 250 messages took 2–27 ms per page, time the
 * query used to wait). The pager is on that page before any of its results can arrive: they come
 * in a later socket read, the pager moves on in the microtasks of this one. Each fetch takes the
 * one sent ahead for it, keyed by the page's queryid; one the pager never takes (stopped between
 * pages) is forgotten when it settles.
 */
function createPageFetcher(services: Pick<FeatureServices, 'iq'>) {
  const ahead = new Map<string, PageAhead>();
  const send = (params: MamQueryParams, signal: AbortSignal, timeout: number | undefined) =>
    fetchPage(services, params, timeout === undefined ? { signal } : { signal, timeout });

  return async (input: MamPageFetchInput, signal: AbortSignal): Promise<MamFin> => {
    const waiting = ahead.get(input.params.queryId);
    let fin: MamFin;
    if (waiting && waiting.params === JSON.stringify(input.params)) {
      ahead.delete(input.params.queryId);
      // Leaving `querying` (cancel, stop) withdraws the query sent ahead as it would its own.
      signal.addEventListener('abort', () => waiting.controller.abort(), { once: true });
      fin = await waiting.fin;
    } else {
      fin = await send(input.params, signal, input.timeout);
    }
    const next = input.next?.(fin);
    if (next !== undefined) {
      const controller = new AbortController();
      const entry: PageAhead = { params: JSON.stringify(next), fin: send(next, controller.signal, input.timeout), controller };
      ahead.set(next.queryId, entry);
      const forget = () => {
        if (ahead.get(next.queryId) === entry) ahead.delete(next.queryId);
      };
      entry.fin.then(forget, forget);
    }
    return fin;
  };
}

/**
 * XEP-0313 §8.2: "it MUST also check that the query ID for a result matches that of an open
 * query". A page holds at most `max` results (a flooding archive cannot grow it) and no archive
 * id twice. Returns the page with the acceptable ones of `results` added (the same array when none is).
 */
function collectResults(context: MamPagerContext, results: readonly ArchivedResult[]): ArchivedResult[] {
  const page = pageQueryId(context.queryId, context.pages + 1);
  let pending = context.pending;
  let seen: Set<string> | undefined;
  for (const result of results) {
    if (result.queryId !== page || pending.length >= context.query.max) continue;
    // One set per socket read's batch, not a scan of the page per result (pages of 250).
    seen ??= new Set(pending.map((r) => r.archiveId));
    if (seen.has(result.archiveId)) continue;
    if (pending === context.pending) pending = [...pending];
    seen.add(result.archiveId);
    pending.push(result);
  }
  return pending;
}

/** Why the pager's input cannot be used (nothing is sent then), or undefined. */
function inputProblem(context: MamPagerContext): XmppAdapterError | undefined {
  const { maxPages } = context;
  if (maxPages !== undefined && (!Number.isInteger(maxPages) || maxPages < 1)) {
    return new XmppAdapterError('invalid-argument', 'MAM pager: maxPages must be a positive integer');
  }
  const query = buildMamQuery(pageParams(context));
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
    pending: [],
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
  const fetchWithLookahead = createPageFetcher(services);
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
      fetchPage: fromPromise<MamFin, MamPageFetchInput>(({ input, signal }) => fetchWithLookahead(input, signal)),
    },
    guards: {
      queryInvalid: ({ context }) => inputProblem(context) !== undefined,
      noProgress: ({ context }, fin: MamFin) => madeNoProgress(context, fin),
      finished: ({ context }) =>
        context.lastFin?.complete === true || (context.maxPages !== undefined && context.pages >= context.maxPages),
      autoContinue: ({ context }) => context.autoContinue,
    },
    actions: {
      collect: assign({
        pending: ({ context, event }) => {
          if (event.type === 'mam.result') {
            const { type: _type, ...result } = event;
            return collectResults(context, [result]);
          }
          return event.type === 'mam.results' ? collectResults(context, event.results) : context.pending;
        },
      }),
      startPage: assign({ pending: [] }),
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
      complete: { type: 'final' },
      cancelled: { type: 'final', entry: assign({ cancelled: true }) },
      failed: { type: 'final' },
    },
  });
}

export type MamPagerLogic = ReturnType<typeof createMamPagerLogic>;
export type MamPagerActor = ActorRefFrom<MamPagerLogic>;
