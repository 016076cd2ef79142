import { defineFeature, type FeatureModule, routeOne } from '../feature.js';
import { NS_ROSTER, parseRosterPush } from './roster.codec.js';
import { createRosterLogic } from './roster.machine.js';
import type { RosterOptions, RosterRoutedEvent } from './roster.types.js';

/** RFC 6121 §2 roster management with §2.6 versioning; `options` seed a cached roster. */
export function createRosterFeature(options: RosterOptions = {}): FeatureModule<RosterRoutedEvent> {
  return defineFeature<RosterRoutedEvent>({
    id: 'roster',
    spec: [
      { xep: 'RFC 6121', version: '§2', url: 'https://www.rfc-editor.org/rfc/rfc6121#section-2' },
      { xep: 'XEP-0237', version: '0.6', url: 'https://xmpp.org/extensions/xep-0237.html' },
    ],
    // The roster is a client-to-own-server protocol: nothing to advertise to others.
    discoFeatures: [],
    handles: [{ stanza: 'iq', ns: NS_ROSTER }],
    route: routeOne(parseRosterPush),
    logic: (services) => createRosterLogic(services, options),
    lifetime: 'session',
    intents: ['roster.add', 'roster.remove', 'roster.refresh'],
  });
}

/** The roster feature with default options (versioning detected from results, no cache). */
export const roster = /*#__PURE__*/ createRosterFeature();

export {
  NS_ROSTER,
  NS_ROSTERVER,
  buildRosterGet,
  buildRosterItem,
  buildRosterRemove,
  buildRosterSet,
  parseRosterItem,
  parseRosterPush,
  parseRosterResult,
} from './roster.codec.js';
export {
  addContact,
  applyPush,
  createRosterLogic,
  fetchRoster,
  removeContact,
  renameContact,
  setGroups,
  verToSend,
  type RosterLogic,
} from './roster.machine.js';
export { connectRoster, type Contact, type RosterRelated, type RosterView } from './roster.connect.js';
export type * from './roster.types.js';
