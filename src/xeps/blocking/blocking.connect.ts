import type { SnapshotFrom } from 'xstate';
import { parseJid } from '../../jid.js';
import type { BlockingLogic } from './blocking.machine.js';
import type { BlockingStatus } from './blocking.types.js';

export interface BlockingView {
  status: BlockingStatus;
  /** Blocked JIDs, sorted. */
  blocked: string[];
  /** Whether the server would block `jid` under the XEP-0191 §4 matching rules. */
  isBlocked(jid: string): boolean;
}

/** XEP-0191 §4: the blocklist entries that would match `jid`, most specific first. */
function candidates(jid: string): string[] {
  const parts = parseJid(jid);
  if (!parts) return [];
  const { local, domain, resource } = parts;
  const out: string[] = [];
  if (local !== undefined && resource !== undefined) out.push(`${local}@${domain}/${resource}`);
  if (local !== undefined) out.push(`${local}@${domain}`);
  if (resource !== undefined) out.push(`${domain}/${resource}`);
  // "<domain> (the domain itself matches, as does any user@domain, domain/resource, or address containing a subdomain)"
  const labels = domain.split('.');
  for (let i = 0; i < labels.length; i++) out.push(labels.slice(i).join('.'));
  return out;
}

// One lookup set per block list (lists are immutable: a change makes a new array).
const lookupSets = new WeakMap<readonly string[], ReadonlySet<string>>();

/** Whether `blocked` (a block list as kept in the context) covers `jid`; cheap to call per stanza. */
export function isBlockedBy(blocked: readonly string[], jid: string): boolean {
  if (blocked.length === 0) return false;
  let set = lookupSets.get(blocked);
  if (!set) lookupSets.set(blocked, (set = new Set(blocked)));
  return candidates(jid).some((c) => set.has(c));
}

/** A UI-ready view of the blocking actor's snapshot. */
export function connectBlocking(snapshot: SnapshotFrom<BlockingLogic>): BlockingView {
  const { blocked } = snapshot.context;
  return {
    status: snapshot.value as BlockingStatus,
    blocked: [...blocked].sort(),
    isBlocked: (jid) => isBlockedBy(blocked, jid),
  };
}
