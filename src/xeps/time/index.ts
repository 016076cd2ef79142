import { defineFeature, routeOne } from '../feature.js';
import { NS_TIME, parseTimeRequest } from './time.codec.js';
import { createTimeLogic } from './time.machine.js';
import type { TimeRequestEvent } from './time.types.js';

/** XEP-0202 Entity Time: answers time queries; `entityTime` asks others. */
export const time = /*#__PURE__*/ defineFeature<TimeRequestEvent>({
  id: 'time',
  spec: [{ xep: 'XEP-0202', version: '2.0', url: 'https://xmpp.org/extensions/xep-0202.html' }],
  // §4: "If an entity supports the Entity Time protocol, it MUST report that by including a service discovery feature".
  discoFeatures: [NS_TIME],
  handles: [{ stanza: 'iq', ns: NS_TIME }],
  route: routeOne(parseTimeRequest),
  logic: (services) => createTimeLogic(services),
  lifetime: 'session',
});

export {
  NS_TIME,
  buildTime,
  buildTimeRequest,
  formatTzo,
  formatUtc,
  parseDateTime,
  parseTime,
  parseTimeRequest,
  parseTzo,
} from './time.codec.js';
export { createTimeLogic, entityTime, systemLocalTime, type LocalTime, type TimeLogic } from './time.machine.js';
export type * from './time.types.js';
