import type { ArchiveIntent } from '../xeps/archive/archive.types.js';
import type { BlockingCommand } from '../xeps/blocking/blocking.types.js';
import type { BookmarksCommand } from '../xeps/bookmarks/bookmarks.types.js';
import type { MucIntent } from '../xeps/muc/muc.events.js';
import type { ChatIntent } from '../xeps/chat/chat.types.js';
import type { PresenceIntent } from '../xeps/presence/presence.types.js';
import type { RosterCommand } from '../xeps/roster/roster.types.js';
import type { UploadIntent } from '../xeps/upload/upload.types.js';
import type { CsiSetEvent } from '../xeps/csi/csi.types.js';

/**
 * Events an app may send to `client.actor` (or `client.send`): the session forwards each to the
 * feature that declared it in `FeatureModule.intents`.
 */
export type AppIntent =
  | ChatIntent
  | RosterCommand
  | { type: 'roster.refresh' }
  | PresenceIntent
  | BlockingCommand
  | { type: 'blocking.refresh' }
  | ArchiveIntent
  | MucIntent
  | BookmarksCommand
  | { type: 'bookmarks.refresh' }
  | UploadIntent
  | CsiSetEvent;
