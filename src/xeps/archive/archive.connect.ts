import type { SnapshotFrom } from 'xstate';
import type { ArchiveLogic } from './archive.machine.js';
import type { CatchUpStatus } from './archive.types.js';

/** Scrollback of one conversation or room, ready for a "load older" control. */
export interface HistoryView {
  /** A "load older" or "load all" query is running. */
  loading: boolean;
  /** The archive has nothing older: show "no more history". */
  complete: boolean;
  /** Why the last query failed, if it did. */
  error: string | undefined;
}

/** The archive actor's state for `jid` (a contact's or a room's bare JID), and the catch-up's progress. */
export function connectHistory(snapshot: SnapshotFrom<ArchiveLogic>, jid: string): HistoryView & { catchUp: CatchUpStatus } {
  const { histories, catchUp } = snapshot.context;
  const history = Object.hasOwn(histories, jid) ? histories[jid]! : undefined;
  return { loading: history?.loading ?? false, complete: history?.complete ?? false, error: history?.error, catchUp };
}
