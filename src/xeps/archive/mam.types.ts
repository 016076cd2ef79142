import type { Element } from '@xmpp/xml';
import type { AnyActorRef } from 'xstate';
import type { XmppErrorCode } from '../../errors.js';
import type { ArchivedEntry } from './archive.types.js';

/** What a query asks the archive for; every field but `queryId` and `max` is optional. */
export interface MamQueryParams {
  /** Our `queryid`: results carrying another one are not ours (XEP-0313 §8.2). */
  queryId: string;
  /** The archive: a room's or service's bare JID; absent for the own account's archive. */
  to?: string;
  /** Only messages to or from this JID (`with` field). */
  with?: string;
  /** XEP-0082 DateTimes bounding the messages' archive timestamps (`start`, `end` fields). */
  start?: string;
  end?: string;
  /** `before-id` / `after-id` fields: only when the archive advertises `urn:xmpp:mam:2#extended`. */
  beforeId?: string;
  afterId?: string;
  /** RSM `<before/>`: the page ending just before this archive id; `''` asks for the last page. */
  before?: string;
  /** RSM `<after/>`: the page starting just after this archive id. */
  after?: string;
  /** RSM `<max/>`: page size, 1..1000 (`MAX_PAGE_SIZE`). */
  max: number;
  /** Text to search for, in the archive's own search field (not defined by XEP-0313; discover it from the form). */
  fullText?: string;
  /** The form field `fullText` goes in. @default 'full-text-search' */
  fullTextField?: string;
}

/** One archived message delivered for a query (XEP-0313 §4.2). */
export interface MamResult {
  queryId: string;
  /** The archive's UID for the message (`<result id/>`), what RSM cursors name. */
  archiveId: string;
  /** ISO 8601 UTC from the forwarded `<delay/>`; absent when the archive sent none. */
  stamp?: string;
  /** The archived `<message/>` as the archive forwarded it; parse it with the chat codec. */
  message: Element;
}

/**
 * A result as plain data, after routing: the archive it came from and what the forwarded message
 * is. The archive is not checked yet: only the pager's owner knows which archive it queried.
 */
export interface ArchivedResult {
  queryId: string;
  archiveId: string;
  /** The bare JID the result came from: the own account's (also for no `from`) or a room's. */
  archive: string;
  stamp?: string;
  entry: ArchivedEntry;
}

/** Where the archive checks a result came from: the own archive unless `archive` is given. */
export interface MamResultContext {
  /** The own bare JID (normalised). */
  ownBare: string;
  /** The bare JID of the archive queried (a room) when it is not the own account. */
  archive?: string;
}

/** The `<fin/>` that ends one page (XEP-0313 §4.3, XEP-0059 §2.2). */
export interface MamFin {
  /** `complete='true'`: nothing more to page through in this direction. */
  complete: boolean;
  /** `stable='false'` makes this false: results may still change and are not to be cached long. */
  stable: boolean;
  /** Archive ids of the first and last results of the page; both absent on an empty page. */
  first?: string;
  last?: string;
  /** Size of the whole result set, when the archive tells (it may be approximate). */
  count?: number;
}

/** XEP-0441 §2.1.1: the archiving default for JIDs on neither list. */
export type MamDefault = 'always' | 'never' | 'roster';

/** XEP-0441 archiving preferences. */
export interface MamPrefs {
  default: MamDefault;
  always: string[];
  never: string[];
}

/** A query without the cursor and id the pager manages itself. */
export type MamPagerQuery = Omit<MamQueryParams, 'queryId' | 'before' | 'after' | 'to'>;

export interface MamPagerInput {
  /** The pager's `queryid`, used for every page (the router looks pagers up by it). */
  queryId: string;
  query: MamPagerQuery;
  /** `backward`: newest first, each page before the last one's `first`; `forward`: each page after `last`. */
  direction: 'backward' | 'forward';
  /**
   * Where to start: backward, the archive id to page back from (default: the end of the archive);
   * forward, the archive id to catch up after (default: the start of the archive or of `query.start`).
   */
  from?: string;
  /** The room (or other) archive's bare JID; absent for the own account's archive. */
  archive?: string;
  /** `false`: stop in `pageReceived` after each page until `mam.next` (scrollback). Default `true`. */
  autoContinue?: boolean;
  /** Stop (in `complete`, `archiveComplete: false`) after this many pages. Default: no limit. */
  maxPages?: number;
  /** IQ timeout per page in ms; default the client's `iqTimeout`. */
  timeout?: number;
  /** Keep every result for the output (default `true`); owners that consume pages as they come turn it off. */
  keepResults?: boolean;
  /** Also sends each `mam.page` to this actor (the pager's owner), besides emitting it. */
  reportTo?: AnyActorRef;
}

/** Why a pager stopped in `failed`. */
export interface MamPagerFailure {
  code: XmppErrorCode | 'no-progress';
  /** The stanza error condition when the archive answered with an error (RFC 6120 §8.3.3). */
  condition?: string;
  text: string;
}

/** One page as the pager hands it on: results in archive (chronological) order. */
export interface MamPage {
  /** 1 for the first page fetched. */
  index: number;
  results: ArchivedResult[];
  fin: MamFin;
}

export interface MamPagerContext {
  queryId: string;
  query: MamPagerQuery;
  direction: 'backward' | 'forward';
  archive: string | undefined;
  autoContinue: boolean;
  maxPages: number | undefined;
  timeout: number | undefined;
  /** The RSM cursor of the next request (`before`/`after`); `''` backward means the last page. */
  cursor: string | undefined;
  /** Every cursor sent so far (and the starting one): a page naming one again makes no progress. */
  usedCursors: string[];
  keepResults: boolean;
  reportTo: AnyActorRef | undefined;
  /** Page IQs sent so far, those sent ahead included: the next one's queryid is `<queryId>.<sent + 1>`. */
  sent: number;
  /** The queryid of the page in flight: only its results go into `pending`. */
  pageId: string;
  /** Results of the page in flight, in arrival order. */
  pending: ArchivedResult[];
  /** The next page's query when it was sent before the page in flight ended (backward paging). */
  ahead: MamQueryAhead | undefined;
  /** Every result so far, in archive order (backward pages are prepended); empty without `keepResults`. */
  results: ArchivedResult[];
  pages: number;
  /** The oldest and newest archive ids of the pages fetched (from their `<fin/>`s). */
  first: string | undefined;
  last: string | undefined;
  lastFin: MamFin | undefined;
  failure: MamPagerFailure | undefined;
  cancelled: boolean;
}

/**
 * A backward page's query sent when the first result of the page before it arrived: that result's
 * archive id is the `<before/>` the `<fin/>` will almost surely name. The pager takes it when the
 * `<fin/>` names that cursor and withdraws it otherwise.
 */
export interface MamQueryAhead {
  /** Its queryid. */
  pageId: string;
  /** The `<before/>` it carries. */
  cursor: string;
  /** Its results that arrived before the page in flight ended. */
  results: ArchivedResult[];
}

/** What the pager's page fetch is given: the page's query, its timeout, and how to ask for the page after it. */
export interface MamPageFetchInput {
  params: MamQueryParams;
  timeout: number | undefined;
  /** The next page's query, sent as soon as this page's `<fin/>` is in (undefined: none). */
  next?: (fin: MamFin) => MamQueryParams | undefined;
}

/** A result routed to the archive actor and on to the pager of its queryid (once its archive is checked). */
export type MamResultEvent = { type: 'mam.result' } & ArchivedResult;

export type MamPagerEvent =
  | MamResultEvent
  /** Several results of one socket read, in arrival order. */
  | { type: 'mam.results'; results: readonly ArchivedResult[] }
  /** Fetch the next page (when `autoContinue` is false). */
  | { type: 'mam.next' }
  /** Stop paging; the IQ in flight is aborted. */
  | { type: 'mam.cancel' };

/** Emitted once per page (`pager.on('mam.page', …)`). */
export type MamPagerEmitted = { type: 'mam.page'; queryId: string } & MamPage;

export interface MamPagerOutput {
  queryId: string;
  /** Every result fetched, in archive order (empty without `keepResults`). */
  results: ArchivedResult[];
  /** The archive said it has nothing more in this direction (false: stopped at `maxPages`). */
  archiveComplete: boolean;
  pages: number;
  /** The oldest and newest archive ids fetched (cursors for a later query). */
  first?: string;
  last?: string;
  /** Why the pager stopped in `failed`. */
  failure?: MamPagerFailure;
  /** The pager was cancelled (`mam.cancel`). */
  cancelled?: true;
}
