import { defineFeature } from '../feature.js';
import { createCsiLogic } from './csi.machine.js';

/** XEP-0352 Client State Indication: `csi.set { active }` from the app, told to the server when it offers it. */
export const csi = /*#__PURE__*/ defineFeature({
  id: 'csi',
  spec: [{ xep: 'XEP-0352', version: '1.0.0', url: 'https://xmpp.org/extensions/xep-0352.html' }],
  discoFeatures: [],
  handles: [],
  route: () => [],
  logic: (services) => createCsiLogic(services),
  lifetime: 'session',
  intents: ['csi.set'],
});

export { NS_CSI, buildClientState } from './csi.codec.js';
export { createCsiLogic, type CsiLogic } from './csi.machine.js';
export { connectCsi, type CsiView } from './csi.connect.js';
export type * from './csi.types.js';
