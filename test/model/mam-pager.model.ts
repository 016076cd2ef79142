import { and, assign, setup } from 'xstate';

/**
 * One scripted archive and the pager input used against it. The archive holds `size` messages,
 * ids `a01`, `a02`, … oldest first; the pager is meant to fetch the part of it on its side of `from`.
 */
export interface PagerScenario {
  name: string;
  direction: 'backward' | 'forward';
  size: number;
  max: number;
  from?: string;
  autoContinue: boolean;
  maxPages?: number;
  /** The IQ timeout passed as input; absent means the client default. */
  timeout?: number;
  /** The bare JID of a room archive; absent for the own account's archive. */
  archive?: string;
  with?: string;
  /** Each page's results arrive as one `mam.results` batch instead of one `mam.result` each. */
  batched?: boolean;
}

/** The archive ids of a scenario, oldest first. */
export const archiveIds = (scenario: PagerScenario): string[] =>
  Array.from({ length: scenario.size }, (_, i) => `a${String(i + 1).padStart(2, '0')}`);

/** The ids the pager should go through: before `from` backward, after it forward (all without `from`). */
export function windowOf(scenario: PagerScenario): string[] {
  const ids = archiveIds(scenario);
  if (scenario.from === undefined) return ids;
  const at = ids.indexOf(scenario.from);
  if (at < 0) throw new Error(`scenario ${scenario.name}: from ${scenario.from} is not in the archive`);
  return scenario.direction === 'backward' ? ids.slice(0, at) : ids.slice(at + 1);
}

export type PagerFailureCode = 'no-progress' | 'stanza-error' | 'timeout';

export interface PagerModelContext {
  /** How many ids of the window were delivered in pages the archive answered normally. */
  served: number;
  /** Pages answered normally (what the pager counts). */
  pages: number;
  /** Page queries the pager has sent so far, those sent ahead included. */
  requests: number;
  /** The query of the next page went out with the first result of the page in flight. */
  sentAhead: boolean;
  /** A query sent ahead was withdrawn: the page in flight was the last, or it failed. */
  withdrawn: boolean;
  /** A result for another query was mixed into the page in flight. */
  foreign: boolean;
  /** The last normal page carried `complete='true'`. */
  archiveComplete: boolean;
  failure: PagerFailureCode | undefined;
  /** Where `mam.cancel` arrived. */
  cancelledIn: 'querying' | 'pageReceived' | undefined;
}

export type PagerModelEvent =
  /** The archive answers with the next page of the window, not the last one (no `complete`). */
  | { type: 'PAGE' }
  /** The archive answers with the rest of the window and `complete='true'`. */
  | { type: 'PAGE_COMPLETE' }
  /** The archive answers with a page whose next cursor is the one just sent (no progress). */
  | { type: 'REPEAT' }
  /** The archive answers with a page whose next cursor is the first one sent (a longer cycle). */
  | { type: 'CYCLE' }
  /** The archive answers with an empty page without `complete`. */
  | { type: 'EMPTY' }
  /** The archive answers with an IQ error (item-not-found). */
  | { type: 'IQ_ERROR' }
  /** No answer within the IQ timeout. */
  | { type: 'TIMEOUT' }
  /** A result carrying another queryid arrives during the query. */
  | { type: 'FOREIGN' }
  | { type: 'NEXT' }
  | { type: 'CANCEL' };

/**
 * Abstract model of one MAM pager against one scripted archive (XEP-0313 §4.3, XEP-0059 §2.2,
 * §2.3, §2.5). The context counts what the real pager should have fetched and sent, so every
 * state of a generated path carries the numbers the real actor is checked against. No actors or
 * delays: the archive's answers and elapsed time are events.
 */
export function createPagerModel(scenario: PagerScenario) {
  const total = windowOf(scenario).length;
  const remaining = (c: PagerModelContext) => total - c.served;
  return setup({
    types: { context: {} as PagerModelContext, events: {} as PagerModelEvent },
    guards: {
      moreThanOnePageLeft: ({ context }) => remaining(context) > scenario.max,
      lastPage: ({ context }) => remaining(context) <= scenario.max,
      // A cursor was sent (not the first backward `<before/>` or a forward query from the start).
      cursorSent: ({ context }) => context.pages > 0 || scenario.from !== undefined,
      // Two different cursors were sent, so a page can name the older one.
      twoCursorsSent: ({ context }) => context.pages + (scenario.from === undefined ? 0 : 1) >= 2,
      noForeignYet: ({ context }) => !context.foreign,
      finished: ({ context }) => context.archiveComplete || (scenario.maxPages !== undefined && context.pages >= scenario.maxPages),
      autoContinue: () => scenario.autoContinue,
      // Backward paging sends the next page's query when a page's first new result arrives, if
      // the pager is to go on by itself and maxPages leaves room for another page.
      sendsAhead: ({ context }) =>
        scenario.direction === 'backward' &&
        scenario.autoContinue &&
        (scenario.maxPages === undefined || context.pages + 2 <= scenario.maxPages),
      manual: () => !scenario.autoContinue,
    },
    actions: {
      sendQuery: assign(({ context }) => ({
        requests: context.sentAhead ? context.requests : context.requests + 1,
        sentAhead: false,
        foreign: false,
      })),
      // The first result of the page went out as the next page's query.
      sendAhead: assign(({ context }) => ({ requests: context.requests + 1, sentAhead: true })),
      // …and was withdrawn when the page ended the paging.
      sendAndWithdraw: assign(({ context }) => ({ requests: context.requests + 1, withdrawn: true })),
      takePage: assign({
        served: ({ context }) => context.served + scenario.max,
        pages: ({ context }) => context.pages + 1,
      }),
      takeLastPage: assign({ served: total, pages: ({ context }) => context.pages + 1, archiveComplete: true }),
    },
  }).createMachine({
    id: `mamPagerModel`,
    context: {
      served: 0,
      pages: 0,
      requests: 0,
      sentAhead: false,
      withdrawn: false,
      foreign: false,
      archiveComplete: false,
      failure: undefined,
      cancelledIn: undefined,
    },
    initial: 'idle',
    states: {
      idle: { always: 'querying' },
      querying: {
        entry: 'sendQuery',
        on: {
          PAGE: [
            { guard: and(['moreThanOnePageLeft', 'sendsAhead']), target: 'pageReceived', actions: ['sendAhead', 'takePage'] },
            { guard: 'moreThanOnePageLeft', target: 'pageReceived', actions: 'takePage' },
          ],
          PAGE_COMPLETE: [
            { guard: and(['lastPage', 'sendsAhead']), target: 'pageReceived', actions: ['sendAndWithdraw', 'takeLastPage'] },
            { guard: 'lastPage', target: 'pageReceived', actions: 'takeLastPage' },
          ],
          REPEAT: { guard: 'cursorSent', target: 'failed', actions: assign({ failure: 'no-progress' }) },
          CYCLE: { guard: 'twoCursorsSent', target: 'failed', actions: assign({ failure: 'no-progress' }) },
          EMPTY: { target: 'failed', actions: assign({ failure: 'no-progress' }) },
          // The archive sent one result before failing the query (see the driver).
          IQ_ERROR: [
            { guard: 'sendsAhead', target: 'failed', actions: ['sendAndWithdraw', assign({ failure: 'stanza-error' })] },
            { target: 'failed', actions: assign({ failure: 'stanza-error' }) },
          ],
          TIMEOUT: { target: 'failed', actions: assign({ failure: 'timeout' }) },
          FOREIGN: { guard: 'noForeignYet', actions: assign({ foreign: true }) },
          CANCEL: { target: 'cancelled', actions: assign({ cancelledIn: 'querying' }) },
        },
      },
      pageReceived: {
        always: [
          { guard: 'finished', target: 'complete' },
          { guard: 'autoContinue', target: 'querying' },
        ],
        on: {
          NEXT: { guard: 'manual', target: 'querying' },
          CANCEL: { target: 'cancelled', actions: assign({ cancelledIn: 'pageReceived' }) },
        },
      },
      complete: { type: 'final' },
      cancelled: { type: 'final' },
      failed: { type: 'final' },
    },
  });
}

export type PagerModel = ReturnType<typeof createPagerModel>;
