import type { SnapshotFrom } from 'xstate';
import { roomJidOf } from './bookmarks.codec.js';
import type { BookmarksLogic } from './bookmarks.machine.js';
import type { Bookmark, BookmarksMode, BookmarksStatus } from './bookmarks.types.js';

export interface BookmarksView {
  status: BookmarksStatus;
  /** Where they are stored, once loaded. */
  mode: BookmarksMode | undefined;
  /** Sorted by name (else room JID). */
  bookmarks: Bookmark[];
  /** The bookmark of `room` (any JID form of the room), if any. */
  get(room: string): Bookmark | undefined;
  error: string | undefined;
  commandError: string | undefined;
}

const label = (b: Bookmark) => (b.name ?? b.room).toLowerCase();

/** A UI-ready view of the bookmarks actor's snapshot. */
export function connectBookmarks(snapshot: SnapshotFrom<BookmarksLogic>): BookmarksView {
  const { bookmarks, mode, status, error, commandError } = snapshot.context;
  return {
    status,
    mode,
    bookmarks: Object.values(bookmarks).sort((a, b) => label(a).localeCompare(label(b)) || a.room.localeCompare(b.room)),
    get: (room) => {
      const jid = roomJidOf(room);
      return jid === undefined ? undefined : bookmarks[jid];
    },
    error,
    commandError,
  };
}
