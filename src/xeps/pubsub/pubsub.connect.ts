import type { SnapshotFrom } from 'xstate';
import { normalizeJid } from '../../jid.js';
import { ANY_PEP_SERVICE, followKey, type PubsubFollow, type PubsubLogic } from './pubsub.machine.js';
import type { NodeItems, PubsubItem } from './pubsub.types.js';

export interface PubsubView {
  /** What is followed; `service` absent for "every PEP service". */
  follows: PubsubFollow[];
  /** Every (service, node) with items kept, sorted by service then node. */
  nodes: NodeItems[];
  /** The items kept for `node` at `service` (any JID form), oldest first. */
  items(service: string, node: string): PubsubItem[];
  /** The newest of them, e.g. a contact's current nickname item. */
  latest(service: string, node: string): PubsubItem | undefined;
}

/** A UI-ready view of the pubsub actor's snapshot. */
export function connectPubsub(snapshot: SnapshotFrom<PubsubLogic>): PubsubView {
  const { follows, nodes } = snapshot.context;
  const items = (service: string, node: string): PubsubItem[] => {
    const jid = normalizeJid(service);
    return jid === undefined ? [] : (nodes[followKey(jid, node)]?.items ?? []);
  };
  return {
    follows: follows.map((key) => {
      const [service, node] = key.split('\n') as [string, string];
      return service === ANY_PEP_SERVICE ? { node } : { service, node };
    }),
    nodes: Object.values(nodes).sort((a, b) => a.service.localeCompare(b.service) || a.node.localeCompare(b.node)),
    items,
    latest: (service, node) => items(service, node).at(-1),
  };
}
