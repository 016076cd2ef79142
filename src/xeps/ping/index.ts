import { defineFeature, routeOne } from '../feature.js';
import { NS_PING, parsePingRequest } from './ping.codec.js';
import { createPingLogic } from './ping.machine.js';
import type { PingRequestEvent } from './ping.types.js';

/** XEP-0199 XMPP Ping: answers pings and keeps the link to the server probed while online. */
export const ping = /*#__PURE__*/ defineFeature<PingRequestEvent>({
  id: 'ping',
  spec: [{ xep: 'XEP-0199', version: '2.0.1', url: 'https://xmpp.org/extensions/xep-0199.html' }],
  discoFeatures: [NS_PING],
  handles: [{ stanza: 'iq', ns: NS_PING }],
  route: routeOne(parsePingRequest),
  logic: (services) => createPingLogic(services),
  lifetime: 'online',
});

export { NS_PING, buildPing, buildPong, parsePingRequest } from './ping.codec.js';
export { createPingLogic, ping as pingEntity, probe, type PingLogic } from './ping.machine.js';
export { connectPing, type PingView } from './ping.connect.js';
export type * from './ping.types.js';
