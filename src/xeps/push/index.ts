import { defineFeature, type FeatureModule } from '../feature.js';
import { createPushLogic, type PushFeatureOptions } from './push.machine.js';

/**
 * XEP-0357 Push Notifications with options: `withFeatures(defaultFeatures, createPushFeature({ enabled }))`
 * restores registrations the app saved from an earlier client.
 */
export function createPushFeature(options: PushFeatureOptions = {}): FeatureModule {
  return defineFeature({
    id: 'push',
    spec: [{ xep: 'XEP-0357', version: '0.2', url: 'https://xmpp.org/extensions/xep-0357.html' }],
    // A client-to-own-server protocol: the account advertises it (§4.1), the client does not.
    discoFeatures: [],
    // Nothing inbound: the server's publishes go to the app server, not to this client.
    handles: [],
    route: () => [],
    logic: (services) => createPushLogic(services, options),
    lifetime: 'session',
    intents: ['push.enable', 'push.disable'],
  });
}

/** XEP-0357 Push Notifications: enable/disable app servers, re-enabled on every fresh session. */
export const push = /*#__PURE__*/ createPushFeature();

export {
  NS_PUBLISH_OPTIONS,
  NS_PUBSUB,
  NS_PUSH,
  NS_PUSH_SUMMARY,
  buildDisable,
  buildEnable,
  parsePushNotification,
  type PushNotification,
} from './push.codec.js';
export {
  accountSupportsPush,
  applyPushCommand,
  createPushLogic,
  disablePush,
  enablePush,
  runPushCommand,
  syncPush,
  type PushFeatureOptions,
  type PushLogic,
} from './push.machine.js';
export { connectPush, type PushView } from './push.connect.js';
export type * from './push.types.js';
