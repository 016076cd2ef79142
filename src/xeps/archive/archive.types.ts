import type { SessionLifecycleEvent } from '../feature.js';
import type { ParsedChatMessage } from '../chat/chat.types.js';
import type {
  ArchivedResult,
  MamPagerEmitted,
  MamPagerInput,
  MamPagerFailure,
  MamPagerOutput,
  MamPrefs,
  MamResultEvent,
} from './mam.types.js';

/** A groupchat message from a room archive, as plain data (rooms are a separate feature's). */
export interface ArchivedGroupchat {
  /** The occupant's full JID (`room@service/nick`). */
  from: string;
  nick: string;
  body?: string;
  idAttr?: string;
  originId?: string;
  /** The stanza the room's archive forwarded had a `<subject/>`. */
  subject?: string;
}

/** What an archived message turned out to be once read with the codec of its kind. */
export type ArchivedEntry =
  /** A 1:1 message in the own archive: `in` from a contact, `out` from one of our devices. */
  | { kind: 'chat'; direction: 'in' | 'out'; message: ParsedChatMessage }
  | { kind: 'groupchat'; message: ArchivedGroupchat }
  /** Nothing this client shows (an error, an unknown payload, a removed message): it still moves the cursor. */
  | { kind: 'other' };

/** The answer of a page's consumer (the chat manager, a room) to the archive actor: how many of its messages were new. */
export interface ArchiveAppliedEvent {
  type: 'archive.applied';
  queryId: string;
  added: number;
}

/** Why a query was started; decides where its pages go. */
export type QueryPurpose = 'older' | 'all' | 'catchUp' | 'search';

/** A query this client issued and has not finished: results are accepted only for these (XEP-0313 §8.2). */
export interface OpenQuery {
  queryId: string;
  /** The archive's bare JID: the own account's or a room's. */
  archive: string;
  purpose: QueryPurpose;
  /** The conversation or room the query is about (`with`, or the room); absent for the whole account archive. */
  jid?: string;
  /** The app's handles for the outcome (`archive.finished`): the intent's, and those that asked for the same while it ran. */
  requestIds: string[];
  /** New messages the pages added so far (as the chat manager counted them). */
  added: number;
  pages: number;
  /** Pages sent to the chat manager and not yet answered with `archive.applied`. */
  unapplied: number;
  /** Results kept for the outcome (searches, room archives). */
  results?: ArchivedResult[];
  /**
   * Forward queries: the archive id the next page follows (where the query started, then each
   * page's last), so a page can be placed right after the one before it even when the session
   * that asked for it is gone.
   */
  cursor?: string;
  /** Account catch-up: the point it started from (where a failure before any page resumes). */
  from?: CatchUpPoint;
  /** The pager's output once it stopped; the query ends when nothing is unapplied. */
  output?: MamPagerOutput;
}

/** A query ready to start: its record and the pager's input. */
export interface PlannedQuery {
  query: OpenQuery;
  input: Omit<MamPagerInput, 'queryId' | 'reportTo'>;
}

/** Scrollback of one conversation or room, for the UI. */
export interface HistoryStatus {
  /** A `loadOlder`/`loadAll` query is running. */
  loading: boolean;
  /** The archive said there is nothing older: "no more history". */
  complete: boolean;
  /** The archive id of the oldest message paged in, where the next "load older" starts. */
  oldest?: string;
  /** Why the last query failed. */
  error?: string;
}

/** The fresh-session catch-up (or an app's `catchUp()`), for a progress bar. */
export interface CatchUpStatus {
  status: 'idle' | 'running' | 'complete' | 'failed';
  pages: number;
  /** Results received so far (including copies of messages already known). */
  messages: number;
  /** `count` of the archive's last `<fin/>`, when it tells. */
  total?: number;
  error?: string;
}

/** Where a catch-up starts: after an archive id, or (without one) at a time. */
export interface CatchUpPoint {
  after?: string;
  start?: string;
}

export interface ArchiveContext {
  /** Own full JID of the current (or last) stream. */
  me: string | undefined;
  /** Whether the own account's archive speaks `urn:xmpp:mam:2` (disco#info on the bare JID). */
  support: 'unknown' | 'checking' | 'yes' | 'no';
  /** `urn:xmpp:mam:2#extended`: before-id/after-id/ids may be used. */
  extended: boolean;
  /** Open queries by queryid. */
  queries: Record<string, OpenQuery>;
  /** Scrollback state by the bare JID of the conversation or room. */
  histories: Record<string, HistoryStatus>;
  catchUp: CatchUpStatus;
  /** A fresh session came up knowing this: catch up from here once the archive's support is known. */
  catchUpFrom: CatchUpPoint | undefined;
  /**
   * Where an account catch-up that failed or was cancelled had got to. The next fresh session starts
   * there, not after the newest message seen since: live messages may have moved past a gap it had
   * not closed yet.
   */
  unfinishedCatchUp: CatchUpPoint | undefined;
  /** Failed account catch-ups in a row (retried while online with a growing delay, a few times). */
  catchUpFailures: number;
}

/** What a finished query reports to the app (`archive.finished`), by the intent's `requestId`. */
export interface ArchiveOutcome {
  requestId: string;
  /** Messages new to the conversation stores (0 for a search, which stores nothing). */
  added: number;
  pages: number;
  /** The archive said it has nothing more in the direction paged. */
  complete: boolean;
  /** A search's or a room archive's results, oldest first (not merged into conversations). */
  results?: ArchivedResult[];
  failure?: MamPagerFailure | { code: 'feature-failed' | 'invalid-argument'; text: string };
  cancelled?: true;
}

interface Requested {
  /** Matches the `archive.finished` event; the client's helpers set one. */
  requestId?: string;
  /** Page size (RSM `max`), 1..1000; the server may send fewer. */
  max?: number;
}

interface HistoryRequest extends Requested {
  /** A contact's bare JID (its conversation in the own archive), or with `room` a room's (its archive). */
  jid: string;
  /** `jid` is a room: query the room's own archive (XEP-0313 §3.3.2). */
  room?: boolean;
}

/** Intent: fetch the page of history just before the oldest message known with `jid`. */
export type ArchiveLoadOlderEvent = { type: 'archive.loadOlder' } & HistoryRequest;
/** Intent: page back through the whole history with `jid` until the archive says it is complete. */
export type ArchiveLoadAllEvent = { type: 'archive.loadAll' } & HistoryRequest;
/**
 * Intent: page forward from the newest archived message known, until complete: every
 * conversation, or only the one with `jid`.
 */
export type ArchiveCatchUpEvent = {
  type: 'archive.catchUp';
  jid?: string;
  /** `jid` is a room: catch up from its own archive (the room actors ask on joining). */
  room?: boolean;
} & Requested;
/** Intent: find messages with `jid` by text and/or time; results go to `archive.finished`, not the conversation. */
export type ArchiveSearchEvent = {
  type: 'archive.search';
  jid?: string;
  text?: string;
  /** The archive's form field for `text` (see `FULL_TEXT_FIELDS`); the promise helper finds it in the query form. */
  textField?: string;
  start?: string;
  end?: string;
  /** Only messages after / before these archive ids (`after-id`/`before-id`, needs `urn:xmpp:mam:2#extended`). */
  afterId?: string;
  beforeId?: string;
} & Requested;
/** Intent: stop the queries about `jid` (every query when absent). */
export type ArchiveCancelEvent = { type: 'archive.cancel'; jid?: string };

export type ArchiveIntent = ArchiveLoadOlderEvent | ArchiveLoadAllEvent | ArchiveCatchUpEvent | ArchiveSearchEvent | ArchiveCancelEvent;

/** The `mam:` pager children report each page here. */
export type ArchivePageEvent = MamPagerEmitted;

export type ArchiveEvent =
  | MamResultEvent
  /** The results of one socket read, in order (the feature `batches`). */
  | { type: 'archive.batch'; events: readonly MamResultEvent[] }
  | ArchivePageEvent
  | ArchiveIntent
  | ArchiveAppliedEvent
  /** Internal: start the planned query. */
  | { type: 'archive.start'; planned: PlannedQuery }
  /** Internal: try a failed account catch-up again (delayed after the failure). */
  | { type: 'archive.retryCatchUp' }
  | SessionLifecycleEvent
  | { type: `xstate.done.actor.${string}`; output: MamPagerOutput };

/** Emitted by the archive actor (`actor.on('archive.finished', …)`). */
export type ArchiveEmitted = { type: 'archive.finished' } & ArchiveOutcome;

export type { MamPrefs };
