import { ANY_NAMESPACE, defineFeature, routeOne } from '../feature.js';
import { parsePresence } from './presence.codec.js';
import { createPresenceLogic } from './presence.machine.js';
import type { PresenceRoutedEvent } from './presence.types.js';

/** RFC 6121 §3–4: presence subscriptions and availability of contacts. */
export const presence = /*#__PURE__*/ defineFeature<PresenceRoutedEvent>({
  id: 'presence',
  spec: [{ xep: 'RFC 6121', version: '§3–4', url: 'https://www.rfc-editor.org/rfc/rfc6121#section-3' }],
  discoFeatures: [],
  // Every presence: unavailable and subscription presences usually have no children at all.
  handles: [{ stanza: 'presence', ns: ANY_NAMESPACE }],
  route: routeOne(parsePresence),
  logic: (services) => createPresenceLogic(services),
  lifetime: 'session',
  batches: true,
  intents: ['presence.set', 'presence.direct', 'presence.subscribe', 'presence.unsubscribe', 'presence.approve', 'presence.deny'],
});

export {
  NS_CLIENT,
  NS_MUC_USER,
  NS_PRE_APPROVAL,
  buildPresence,
  buildSubscribe,
  buildSubscribed,
  buildUnsubscribe,
  buildUnsubscribed,
  parsePresence,
  parseResourcePresence,
} from './presence.codec.js';
export {
  MAX_PENDING_REQUESTS,
  MAX_RESOURCES_PER_ENTITY,
  MAX_TRACKED_ENTITIES,
  aggregate,
  approve,
  checkOwnPresence,
  createPresenceLogic,
  deny,
  setPresence,
  subscribe,
  unsubscribe,
  type PresenceLogic,
} from './presence.machine.js';
export { connectPresence, type ContactPresence, type PresenceView } from './presence.connect.js';
export type * from './presence.types.js';
