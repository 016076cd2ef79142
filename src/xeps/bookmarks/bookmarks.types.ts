import type { SessionLifecycleEvent } from '../feature.js';
import type { XmlNode } from '../pubsub/xml-node.js';

/**
 * The children of a XEP-0402 `<extensions/>` element are kept as {@link XmlNode} plain data (no
 * `Element` in context or events): the client must hand them back unchanged when it edits a bookmark.
 */
export type { XmlNode };

/** One bookmarked room (XEP-0402 §3, XEP-0048 §2.1), as plain data. */
export interface Bookmark {
  /** The room's bare JID (the item id in XEP-0402, the `jid` attribute in XEP-0048), normalised. */
  room: string;
  /** A friendly name for the bookmark. */
  name?: string;
  /** Join the room on login. @default false */
  autojoin: boolean;
  /** The preferred room nick. */
  nick?: string;
  /** The room password (stored unencrypted on the server: NOT RECOMMENDED by XEP-0048 §4). */
  password?: string;
  /** XEP-0402 `<extensions/>` children, kept as they came (legacy storage has none). */
  extensions?: XmlNode[];
}

/** A XEP-0048 `<url/>` bookmark: not used here, kept so that rewriting the legacy storage does not drop it. */
export interface LegacyUrlBookmark {
  url: string;
  name?: string;
}

/**
 * `native`: XEP-0402 items on `urn:xmpp:bookmarks:1` (the account announces `#compat`, so the
 * server keeps XEP-0048 clients in step). `legacy`: the single XEP-0048 `storage:bookmarks` item
 * `current` on the PEP node `storage:bookmarks` (XEP-0223).
 */
export type BookmarksMode = 'native' | 'legacy';

/** `unsupported`: the account has no PEP service. */
export type BookmarksStatus = 'idle' | 'loading' | 'ready' | 'unsupported' | 'failed';

/** One change carried by a PEP notification. */
export type BookmarkChange =
  | { kind: 'set'; bookmark: Bookmark }
  | { kind: 'retract'; room: string }
  /** The whole set replaced (a legacy storage item, or a native purge with `bookmarks: []`). */
  | { kind: 'replace'; bookmarks: Bookmark[]; urls?: LegacyUrlBookmark[] };

/** A PEP notification for one of the two bookmark nodes, from the own account. */
export interface BookmarksNotificationEvent {
  type: 'bookmarks.notification';
  /** Which node it concerns: applied only in that mode. */
  mode: BookmarksMode;
  changes: BookmarkChange[];
}

export type BookmarksRoutedEvent = BookmarksNotificationEvent;

/** Fields `bookmarks.update` may change. */
export type BookmarkChanges = Partial<Omit<Bookmark, 'room'>>;

/** App intents: each runs as a `command.<n>` child; a failure lands in `commandError`. */
export type BookmarksCommand =
  | { type: 'bookmarks.add'; bookmark: Bookmark }
  /** Merges `changes` into the bookmark of `room` (which must exist) and publishes it. */
  | { type: 'bookmarks.update'; room: string; changes: BookmarkChanges }
  | { type: 'bookmarks.remove'; room: string };

/** How a command child ends: what it changed on the server, applied at once. */
export type BookmarksCommandOutcome =
  { type: `xstate.done.actor.${string}`; output: BookmarkChange } | { type: `xstate.error.actor.${string}`; error: unknown };

export type BookmarksEvent =
  BookmarksRoutedEvent | SessionLifecycleEvent | BookmarksCommand | BookmarksCommandOutcome | { type: 'bookmarks.refresh' };

export interface BookmarksContext {
  /** The own full JID of the current session. */
  me: string | undefined;
  /** By room bare JID. */
  bookmarks: Record<string, Bookmark>;
  mode: BookmarksMode | undefined;
  status: BookmarksStatus;
  /** Why the last fetch failed, or why bookmarks are unsupported. */
  error: string | undefined;
  /** Why the last add/update/remove failed (cleared by the next one that succeeds). */
  commandError: string | undefined;
  /** Notifications that arrived during the fetch, applied again to its result. */
  held: BookmarksNotificationEvent[];
  /** XEP-0048 URL bookmarks of the legacy storage, written back untouched. */
  legacyUrls: LegacyUrlBookmark[];
}
