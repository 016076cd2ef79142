import { defineFeature, routeOne } from '../feature.js';
import { NS_VERSION, parseVersionRequest } from './version.codec.js';
import { createVersionLogic } from './version.machine.js';
import type { VersionRequestEvent } from './version.types.js';

/** XEP-0092 Software Version: answers with the app's name and version; `softwareVersion` asks others. */
export const version = /*#__PURE__*/ defineFeature<VersionRequestEvent>({
  id: 'version',
  spec: [{ xep: 'XEP-0092', version: '1.1', url: 'https://xmpp.org/extensions/xep-0092.html' }],
  discoFeatures: [NS_VERSION],
  handles: [{ stanza: 'iq', ns: NS_VERSION }],
  route: routeOne(parseVersionRequest),
  logic: (services) => createVersionLogic(services),
  lifetime: 'session',
});

export { NS_VERSION, buildVersion, buildVersionRequest, parseVersion, parseVersionRequest } from './version.codec.js';
export { createVersionLogic, softwareVersion, type VersionLogic } from './version.machine.js';
export type * from './version.types.js';
