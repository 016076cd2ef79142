import type { SnapshotFrom } from 'xstate';
import { normalizeJid } from '../../jid.js';
import { connectBlocking } from '../blocking/blocking.connect.js';
import type { BlockingLogic } from '../blocking/blocking.machine.js';
import type { ChatLogic } from '../chat/chat.machine.js';
import { connectPresence, type ContactPresence } from '../presence/presence.connect.js';
import type { PresenceLogic } from '../presence/presence.machine.js';
import type { PendingRequest } from '../presence/presence.types.js';
import type { RosterLogic } from './roster.machine.js';
import type { RosterItem, RosterStatus } from './roster.types.js';

/** A roster contact with what the other features know about it. */
export interface Contact extends RosterItem {
  /** The aggregated presence (highest-priority resource); undefined when unavailable or unknown. */
  presence: ContactPresence | undefined;
  /** Whether the block list covers this contact (XEP-0191 matching rules). */
  blocked: boolean;
}

export interface RosterView {
  status: RosterStatus;
  /** Every contact, sorted by display name (the name, else the JID). */
  contacts: Contact[];
  /** Contacts we asked for a subscription that have not answered (`ask='subscribe'`). */
  pendingOut: Contact[];
  /** Incoming subscription requests waiting for approve/deny (needs the presence snapshot). */
  requests: PendingRequest[];
  /** Blocked JIDs, sorted (needs the blocking snapshot). */
  blocked: string[];
  /** People in a conversation who are not on the roster and not blocked (needs the chat snapshot), in conversation order. */
  strangers: string[];
  /** The contact with this JID, if on the roster. */
  get(jid: string): Contact | undefined;
  /** The roster version, for apps that cache the roster across runs (`RosterOptions.cache`). */
  ver: string | undefined;
}

/** Snapshots of the features a full contact list draws on; each is optional. */
export interface RosterRelated {
  presence?: SnapshotFrom<PresenceLogic>;
  blocking?: SnapshotFrom<BlockingLogic>;
  chats?: SnapshotFrom<ChatLogic>;
}

const displayName = (item: RosterItem) => item.name ?? item.jid;

/**
 * A UI-ready contact list: the roster actor's snapshot, joined with presence, blocking and the
 * chat manager's conversations when their snapshots are passed.
 */
export function connectRoster(snapshot: SnapshotFrom<RosterLogic>, related: RosterRelated = {}): RosterView {
  const { items, ver } = snapshot.context;
  const presence = related.presence ? connectPresence(related.presence) : undefined;
  const blocking = related.blocking ? connectBlocking(related.blocking) : undefined;
  const contacts: Contact[] = Object.values(items)
    .sort((a, b) => displayName(a).localeCompare(displayName(b)) || a.jid.localeCompare(b.jid))
    .map((item) => ({ ...item, presence: presence?.of(item.jid), blocked: blocking?.isBlocked(item.jid) ?? false }));
  const byJid = new Map(contacts.map((c) => [c.jid, c]));
  const conversations = related.chats?.context.conversations ?? [];
  return {
    status: snapshot.value as RosterStatus,
    contacts,
    pendingOut: contacts.filter((c) => c.ask === 'subscribe'),
    requests: presence?.pending ?? [],
    blocked: blocking?.blocked ?? [],
    strangers: conversations.filter((jid) => !byJid.has(jid) && !(blocking?.isBlocked(jid) ?? false)),
    get: (jid) => {
      const key = normalizeJid(jid);
      return key === undefined ? undefined : byJid.get(key);
    },
    ver,
  };
}
