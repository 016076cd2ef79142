import { defineFeature, routeOne, type FeatureModule } from '../feature.js';
import { NOTIFY_BOOKMARKS, NOTIFY_BOOKMARKS_LEGACY, NS_PUBSUB_EVENT, parseBookmarksNotification } from './bookmarks.codec.js';
import { createBookmarksLogic, type BookmarksOptions } from './bookmarks.machine.js';
import type { BookmarksRoutedEvent } from './bookmarks.types.js';

/** XEP-0402 PEP Native Bookmarks, falling back to XEP-0048 (via XEP-0223) without `#compat`. */
export function createBookmarksFeature(options: BookmarksOptions = {}): FeatureModule<BookmarksRoutedEvent> {
  return defineFeature<BookmarksRoutedEvent>({
    id: 'bookmarks',
    spec: [
      { xep: 'XEP-0402', version: '1.2.0', url: 'https://xmpp.org/extensions/xep-0402.html' },
      { xep: 'XEP-0048', version: '1.1', url: 'https://xmpp.org/extensions/xep-0048.html' },
      { xep: 'XEP-0223', version: '1.1.1', url: 'https://xmpp.org/extensions/xep-0223.html' },
    ],
    // XEP-0402 §3.1: "A client interested in bookmarks SHOULD include the '…+notify' feature in its
    // XEP-0115" (XEP-0163), so that the server sends it the other clients' changes; the legacy node too,
    // for accounts without #compat.
    discoFeatures: [NOTIFY_BOOKMARKS, NOTIFY_BOOKMARKS_LEGACY],
    handles: [{ stanza: 'message', ns: NS_PUBSUB_EVENT }],
    route: routeOne(parseBookmarksNotification),
    logic: (services) => createBookmarksLogic(services, options),
    lifetime: 'session',
    intents: ['bookmarks.add', 'bookmarks.update', 'bookmarks.remove', 'bookmarks.refresh'],
  });
}

/** Bookmarks with the defaults: autojoin rooms joined on login and when a change makes them autojoin. */
export const bookmarks = /*#__PURE__*/ createBookmarksFeature();

export {
  LEGACY_ITEM_ID,
  MAX_BOOKMARKS,
  MAX_NAME_LENGTH,
  MAX_NICK_BYTES,
  MAX_PASSWORD_LENGTH,
  NOTIFY_BOOKMARKS,
  NOTIFY_BOOKMARKS_LEGACY,
  NS_BOOKMARKS,
  NS_BOOKMARKS_COMPAT,
  NS_BOOKMARKS_LEGACY,
  NS_PUBSUB,
  NS_PUBSUB_EVENT,
  bookmarkProblem,
  buildConference,
  buildItemsRequest,
  buildLegacyStorage,
  buildPublishBookmark,
  buildPublishLegacy,
  buildRetractBookmark,
  parseBookmarkItem,
  parseBookmarkItems,
  parseBookmarksNotification,
  parseLegacyItems,
  parseLegacyStorage,
  roomJidOf,
} from './bookmarks.codec.js';
export {
  addBookmark,
  applyBookmarkChange,
  createBookmarksLogic,
  discoverBookmarksMode,
  fetchBookmarks,
  fetchLegacyBookmarks,
  joinIntentFor,
  loadBookmarks,
  removeBookmark,
  runBookmarksCommand,
  type BookmarksHelperOptions,
  type BookmarksLoad,
  type BookmarksLogic,
  type BookmarksOptions,
} from './bookmarks.machine.js';
export { connectBookmarks, type BookmarksView } from './bookmarks.connect.js';
export type * from './bookmarks.types.js';
