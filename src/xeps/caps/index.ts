import { ANY_NAMESPACE, defineFeature, routeOne } from '../feature.js';
import { NS_CAPS, parseCapsPresence } from './caps.codec.js';
import { createCapsLogic } from './caps.machine.js';
import type { CapsRoutedEvent } from './caps.types.js';

/** XEP-0115 Entity Capabilities: announces our caps and verifies the caps others announce. */
export const caps = /*#__PURE__*/ defineFeature<CapsRoutedEvent>({
  id: 'caps',
  spec: [{ xep: 'XEP-0115', version: '1.6.0', url: 'https://xmpp.org/extensions/xep-0115.html' }],
  // XEP-0115 §7: "If an entity supports the entity capabilities protocol, it MUST advertise that fact".
  discoFeatures: [NS_CAPS],
  // Every presence: an unavailable one (no <c/>) must clear what the resource announced.
  handles: [{ stanza: 'presence', ns: ANY_NAMESPACE }],
  route: routeOne(parseCapsPresence),
  logic: (services) => createCapsLogic(services),
  lifetime: 'session',
  batches: true,
});

export {
  CAPS_NODE,
  NS_CAPS,
  buildCaps,
  capsDiscoNode,
  capsHash,
  compareOctets,
  isSupportedHash,
  parseCaps,
  parseCapsPresence,
  verOf,
  verificationString,
} from './caps.codec.js';
export {
  MAX_FAILED_VERS,
  MAX_KNOWN_JIDS,
  MAX_KNOWN_VERS,
  MAX_QUEUED_VERIFICATIONS,
  MAX_VERIFICATIONS_IN_FLIGHT,
  ownCapsElement,
  createCapsLogic,
  verifyCaps,
  type CapsLogic,
} from './caps.machine.js';
export { connectCaps, type CapsView } from './caps.connect.js';
export type * from './caps.types.js';
