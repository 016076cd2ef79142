import { defineFeature } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import { NS_CARBONS, parseCarbon } from './carbons.codec.js';
import { createCarbonsLogic } from './carbons.machine.js';
import type { CarbonsCopyEvent } from './carbons.types.js';

/** XEP-0280 Message Carbons: enabled on every fresh stream; copies go to the `chat` actor. */
export const carbons = /*#__PURE__*/ defineFeature<CarbonsCopyEvent>({
  id: 'carbons',
  spec: [
    { xep: 'XEP-0280', version: '1.0.1', url: 'https://xmpp.org/extensions/xep-0280.html' },
    { xep: 'XEP-0297', version: '1.0', url: 'https://xmpp.org/extensions/xep-0297.html' },
  ],
  discoFeatures: [NS_CARBONS],
  handles: [{ stanza: 'message', ns: NS_CARBONS }],
  route(stanza, context) {
    const copy = parseCarbon(stanza, context);
    return copy instanceof StanzaParseError ? [] : [copy];
  },
  logic: (services) => createCarbonsLogic(services),
  lifetime: 'session',
});

export { NS_CARBONS, NS_FORWARD, buildDisableCarbons, buildEnableCarbons, parseCarbon } from './carbons.codec.js';
export { createCarbonsLogic, disableCarbons, enableCarbons, type CarbonsLogic } from './carbons.machine.js';
export { connectCarbons, type CarbonsView } from './carbons.connect.js';
export type * from './carbons.types.js';
