import { defineFeature, type FeatureModule } from '../feature.js';
import { NS_PUBSUB_EVENT, parsePubsubNotification } from './pubsub.codec.js';
import { createPubsubLogic, type PubsubOptions } from './pubsub.machine.js';
import type { PubsubNotificationEvent } from './pubsub.types.js';

/** XEP-0084 §2.2: the node of avatar metadata (the one a client follows; the data is fetched on demand). */
export const NODE_AVATAR_METADATA = 'urn:xmpp:avatar:metadata';
/** XEP-0172 §4: the node of user nicknames. */
export const NODE_NICK = 'http://jabber.org/protocol/nick';
/** The PEP nodes a client follows unless told otherwise. */
export const DEFAULT_NOTIFY_NODES: readonly string[] = [NODE_AVATAR_METADATA, NODE_NICK];

/** XEP-0163 §4.2: the caps feature that asks a PEP service for notifications of `node`. */
export const notifyFeature = (node: string): string => `${node}+notify`;

/**
 * XEP-0060 Publish-Subscribe with PEP (XEP-0163) and private storage (XEP-0223): request helpers,
 * and an actor that keeps the latest items of the nodes it follows from notifications.
 */
export function createPubsubFeature(options: PubsubOptions = {}): FeatureModule<PubsubNotificationEvent> {
  const notify = options.notify ?? DEFAULT_NOTIFY_NODES;
  return defineFeature<PubsubNotificationEvent>({
    id: 'pubsub',
    spec: [
      { xep: 'XEP-0060', version: '1.26.0', url: 'https://xmpp.org/extensions/xep-0060.html' },
      { xep: 'XEP-0163', version: '1.2.2', url: 'https://xmpp.org/extensions/xep-0163.html' },
      { xep: 'XEP-0223', version: '1.1.1', url: 'https://xmpp.org/extensions/xep-0223.html' },
    ],
    // XEP-0163 §2.5: "the contact's client includes extended XEP-0115 information in the presence
    // notifications it sends to the account owner" and the PEP service "sends only those
    // notifications that match the contact's expressed notification preferences". The list is
    // fixed per client: caps hashes the features once (see README, "Not implemented").
    discoFeatures: [...new Set(notify)].map(notifyFeature),
    handles: [{ stanza: 'message', ns: NS_PUBSUB_EVENT }],
    route: parsePubsubNotification,
    logic: (services) => createPubsubLogic(services, { ...options, notify }),
    lifetime: 'session',
    intents: ['pubsub.follow', 'pubsub.unfollow'],
    // One transition per socket read: PEP replays come in floods at login.
    batches: true,
  });
}

/** Pubsub with the defaults: avatar metadata and nicknames followed at every contact. */
export const pubsub = /*#__PURE__*/ createPubsubFeature();

export {
  MAX_ID_LENGTH,
  MAX_ITEMS,
  MAX_PAGE,
  NOTIFICATION_PAYLOAD_BUDGET,
  NS_PUBSUB,
  NS_PUBSUB_ERRORS,
  NS_PUBSUB_EVENT,
  NS_PUBSUB_NODE_CONFIG,
  NS_PUBSUB_OWNER,
  NS_PUBSUB_PUBLISH_OPTIONS,
  RESULT_PAYLOAD_BUDGET,
  buildConfigureGet,
  buildConfigureSubmit,
  buildCreate,
  buildDeleteNode,
  buildItemsRequest,
  buildPublish,
  buildPublishOptions,
  buildRetract,
  buildSubmitForm,
  buildSubscribe,
  buildUnsubscribe,
  isPubsubId,
  notificationService,
  parseConfigureForm,
  parseCreateResult,
  parseItemsResult,
  parsePublishResult,
  parsePubsubNotification,
  parseSubscription,
  type ItemsRequest,
  type PublishRequest,
} from './pubsub.codec.js';
export {
  PRIVATE_PUBLISH_OPTIONS,
  configureNode,
  createNode,
  deleteNode,
  items,
  loadPrivate,
  nodeConfig,
  publish,
  retract,
  storePrivate,
  subscribe,
  unsubscribe,
  type ItemsOptions,
  type PublishOptions,
  type RetractOptions,
} from './pubsub.requests.js';
export {
  ANY_PEP_SERVICE,
  applyNotification,
  createPubsubLogic,
  followKey,
  followKeyOf,
  isFollowed,
  type PubsubFollow,
  type PubsubLogic,
  type PubsubOptions,
} from './pubsub.machine.js';
export { connectPubsub, type PubsubView } from './pubsub.connect.js';
export { fromXmlNode, toXmlNode, xmlNodeChild, xmlNodeText, type XmlBudget } from './xml-node.js';
export type * from './pubsub.types.js';
