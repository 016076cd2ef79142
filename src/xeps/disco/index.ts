import { defineFeature, routeOne } from '../feature.js';
import { NS_DISCO_INFO, NS_DISCO_ITEMS, parseDiscoRequest } from './disco.codec.js';
import { createDiscoLogic } from './disco.machine.js';
import type { DiscoRoutedEvent } from './disco.types.js';

/** XEP-0030 Service Discovery: answers disco#info/#items and learns the server's features. */
export const disco = /*#__PURE__*/ defineFeature<DiscoRoutedEvent>({
  id: 'disco',
  spec: [{ xep: 'XEP-0030', version: '2.5rc3', url: 'https://xmpp.org/extensions/xep-0030.html' }],
  discoFeatures: [NS_DISCO_INFO, NS_DISCO_ITEMS],
  handles: [
    { stanza: 'iq', ns: NS_DISCO_INFO },
    { stanza: 'iq', ns: NS_DISCO_ITEMS },
  ],
  route: routeOne(parseDiscoRequest),
  logic: (services) => createDiscoLogic(services),
  lifetime: 'session',
});

export {
  NS_DATA_FORMS,
  NS_DISCO_INFO,
  NS_DISCO_ITEMS,
  buildDiscoInfo,
  buildDiscoInfoRequest,
  buildDiscoItems,
  buildDiscoItemsRequest,
  clientIdentity,
  ownDiscoInfo,
  parseDiscoInfo,
  parseDiscoItems,
  parseDiscoRequest,
  type Platform,
} from './disco.codec.js';
export { createDiscoLogic, currentPlatform, discoInfo, discoItems, type DiscoLogic } from './disco.machine.js';
export { connectDisco, type DiscoView } from './disco.connect.js';
export type * from './disco.types.js';
