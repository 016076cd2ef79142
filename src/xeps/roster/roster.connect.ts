import type { SnapshotFrom } from 'xstate';
import { normalizeJid } from '../../jid.js';
import type { RosterLogic } from './roster.machine.js';
import type { RosterItem, RosterStatus } from './roster.types.js';

export interface RosterView {
  status: RosterStatus;
  /** Every contact, sorted by display name (the name, else the JID). */
  contacts: RosterItem[];
  /** Contacts we asked for a subscription that have not answered (`ask='subscribe'`). */
  pendingOut: RosterItem[];
  /** The contact with this JID, if on the roster. */
  get(jid: string): RosterItem | undefined;
  /** The roster version, for apps that cache the roster across runs (`RosterOptions.cache`). */
  ver: string | undefined;
}

const displayName = (item: RosterItem) => item.name ?? item.jid;

/** A UI-ready view of the roster actor's snapshot. */
export function connectRoster(snapshot: SnapshotFrom<RosterLogic>): RosterView {
  const { items, ver } = snapshot.context;
  const contacts = Object.values(items).sort((a, b) => displayName(a).localeCompare(displayName(b)) || a.jid.localeCompare(b.jid));
  return {
    status: snapshot.value as RosterStatus,
    contacts,
    pendingOut: contacts.filter((c) => c.ask === 'subscribe'),
    get: (jid) => {
      const key = normalizeJid(jid);
      return key !== undefined && Object.hasOwn(items, key) ? items[key] : undefined;
    },
    ver,
  };
}
