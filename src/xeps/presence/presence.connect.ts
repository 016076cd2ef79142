import type { SnapshotFrom } from 'xstate';
import { bareJid } from '../../jid.js';
import { aggregate, type PresenceLogic } from './presence.machine.js';
import type { PendingRequest, ResourcePresence } from './presence.types.js';

export interface ContactPresence extends ResourcePresence {
  /** The bare JID. */
  jid: string;
  /** The full JID whose presence is shown (highest priority). */
  resource: string;
  /** Every available resource of the contact. */
  resources: Record<string, ResourcePresence>;
}

export interface PresenceView {
  /** The aggregated presence of `jid`'s bare JID; undefined when unavailable. */
  of(jid: string): ContactPresence | undefined;
  /** Every entity with at least one available resource, by bare JID. */
  available: ContactPresence[];
  /** Subscription requests waiting for `approve`/`deny`, oldest first. */
  pending: PendingRequest[];
  /** Our own presence as the server reflected it. */
  own: ResourcePresence | undefined;
}

/** A UI-ready view of the presence actor's snapshot. */
export function connectPresence(snapshot: SnapshotFrom<PresenceLogic>): PresenceView {
  const { resources, pending, own } = snapshot.context;
  const contact = (bare: string): ContactPresence | undefined => {
    if (!Object.hasOwn(resources, bare)) return undefined;
    const best = aggregate(resources[bare]);
    if (!best) return undefined;
    const { jid: resource, ...presence } = best;
    return { ...presence, jid: bare, resource, resources: resources[bare]! };
  };
  return {
    of: (jid) => {
      const bare = bareJid(jid);
      return bare === undefined ? undefined : contact(bare);
    },
    available: Object.keys(resources)
      .sort()
      .map(contact)
      .filter((c): c is ContactPresence => c !== undefined),
    pending: Object.values(pending),
    own,
  };
}
