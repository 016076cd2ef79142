import { defineFeature, routeOne } from '../feature.js';
import { NS_BLOCKING, parseBlockingPush } from './blocking.codec.js';
import { createBlockingLogic } from './blocking.machine.js';
import type { BlockingRoutedEvent } from './blocking.types.js';

/** XEP-0191 Blocking Command: the block list, block/unblock and the server's pushes. */
export const blocking = /*#__PURE__*/ defineFeature<BlockingRoutedEvent>({
  id: 'blocking',
  spec: [{ xep: 'XEP-0191', version: '1.1', url: 'https://xmpp.org/extensions/xep-0191.html' }],
  // A client-to-own-server protocol: the server advertises it, the client does not.
  discoFeatures: [],
  handles: [{ stanza: 'iq', ns: NS_BLOCKING }],
  route: routeOne(parseBlockingPush),
  logic: (services) => createBlockingLogic(services),
  lifetime: 'session',
  intents: ['blocking.block', 'blocking.unblock', 'blocking.refresh'],
});

export { NS_BLOCKING, buildBlock, buildBlocklistRequest, buildUnblock, parseBlocklist, parseBlockingPush } from './blocking.codec.js';
export { applyBlockingPush, block, createBlockingLogic, fetchBlocklist, unblock, type BlockingLogic } from './blocking.machine.js';
export { connectBlocking, isBlockedBy, type BlockingView } from './blocking.connect.js';
export type * from './blocking.types.js';
