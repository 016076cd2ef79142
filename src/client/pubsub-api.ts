import type { Element } from '@xmpp/xml';
import type { Actor, SnapshotFrom } from 'xstate';
import { XmppAdapterError } from '../errors.js';
import type { IqRequestOptions } from '../iq/iq-tracker.js';
import { bareJid } from '../jid.js';
import type { SessionMachine } from '../machines/session.machine.js';
import type { FeatureServices } from '../xeps/feature.js';
import { connectPubsub, type PubsubView } from '../xeps/pubsub/pubsub.connect.js';
import { followKeyOf, type PubsubLogic } from '../xeps/pubsub/pubsub.machine.js';
import {
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
} from '../xeps/pubsub/pubsub.requests.js';
import type {
  FormValues,
  ItemsResult,
  NodeConfigForm,
  PubsubIntent,
  PubsubItem,
  PubsubItemsEmitted,
  Subscription,
  XmlNode,
} from '../xeps/pubsub/pubsub.types.js';
import { argumentError, featureLookup } from './require-feature.js';

type ServiceOption = IqRequestOptions & { service?: string };

/** Promise helpers over the `pubsub` feature (XEP-0060, PEP XEP-0163, private storage XEP-0223). */
export interface PubsubApi {
  /** Publishes one item (to the own PEP service unless `service`); resolves with its ItemID. */
  publish(node: string, payload: Element | XmlNode, options?: PublishOptions): Promise<{ node: string; id: string | undefined }>;
  /** Deletes one item, notifying subscribers unless `notify: false`. */
  retract(node: string, id: string, options?: RetractOptions): Promise<void>;
  /** Items of a node: all, `ids`, the `latest` N, or one RSM `page`. */
  items(node: string, options?: ItemsOptions): Promise<ItemsResult>;
  /** Subscribes the own bare JID (or `jid`) to `node` at `service`. */
  subscribe(service: string, node: string, options?: IqRequestOptions & { jid?: string }): Promise<Subscription>;
  unsubscribe(service: string, node: string, options?: IqRequestOptions & { jid?: string; subid?: string }): Promise<void>;
  /** The node's configuration form (owner). */
  nodeConfig(node: string, options?: ServiceOption): Promise<NodeConfigForm>;
  /** Submits configuration fields (owner). */
  configureNode(node: string, values: FormValues, options?: ServiceOption): Promise<void>;
  /** Creates a node (an instant one when `node` is undefined); resolves with its NodeID. */
  createNode(node: string | undefined, options?: ServiceOption & { config?: FormValues }): Promise<string>;
  deleteNode(node: string, options?: ServiceOption): Promise<void>;
  /** XEP-0223: stores `payload` as item `id` (default `current`) of a private own PEP node. */
  storePrivate(node: string, payload: Element | XmlNode, options?: IqRequestOptions & { id?: string }): Promise<void>;
  /** XEP-0223: reads it back; undefined when nothing is stored. */
  loadPrivate(node: string, options?: IqRequestOptions & { id?: string }): Promise<PubsubItem | undefined>;
  /**
   * Keeps the latest items of `node` from notifications: at `service` only, or at every contact's
   * PEP service when absent. Notifications of PEP nodes arrive only for nodes the client advertises
   * `+notify` for (`createPubsubFeature({ notify })`).
   */
  follow(node: string, service?: string): void;
  unfollow(node: string, service?: string): void;
  /** Calls `listener` for every notification that changed a followed node; returns the unsubscribe function. */
  onItems(listener: (event: PubsubItemsEmitted) => void): () => void;
  /** What the actor keeps, as a view (`connectPubsub`). */
  view(): PubsubView;
}

/** Builds `client.pubsub`: the requests go straight to the IQ tracker once the feature is known to be there. */
export function createPubsubApi(session: Actor<SessionMachine>, services: FeatureServices, isRunning: () => boolean): PubsubApi {
  const requireFeature = featureLookup(session, isRunning);
  const actor = () => requireFeature('pubsub');
  const ownBare = (): string => {
    const jid = bareJid(session.getSnapshot().context.connection.jid);
    if (jid === undefined) throw new XmppAdapterError('not-online', 'the own JID is not known before the first login');
    return jid;
  };
  /** A request of the feature, taken only while it runs (else the promise rejects as `requireFeature` says). */
  const whenRunning =
    <A extends unknown[], R>(request: (services: FeatureServices, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      actor();
      return request(services, ...args);
    };
  const intent = (type: PubsubIntent['type'], node: string, service: string | undefined) => {
    const event: PubsubIntent = service === undefined ? { type, node } : { type, node, service };
    if (followKeyOf(event) === undefined) throw argumentError(`pubsub: not a node and service to follow: ${String(node).slice(0, 64)}`);
    actor().send(event);
  };

  return {
    publish: whenRunning(publish),
    retract: whenRunning(retract),
    items: whenRunning(items),
    async subscribe(service, node, options = {}) {
      actor();
      const { jid, ...request } = options;
      return subscribe(services, service, node, jid ?? ownBare(), request);
    },
    async unsubscribe(service, node, options = {}) {
      actor();
      const { jid, ...request } = options;
      return unsubscribe(services, service, node, jid ?? ownBare(), request);
    },
    nodeConfig: whenRunning(nodeConfig),
    configureNode: whenRunning(configureNode),
    createNode: whenRunning(createNode),
    deleteNode: whenRunning(deleteNode),
    storePrivate: whenRunning(storePrivate),
    loadPrivate: whenRunning(loadPrivate),
    follow: (node, service) => intent('pubsub.follow', node, service),
    unfollow: (node, service) => intent('pubsub.unfollow', node, service),
    onItems(listener) {
      const subscription = actor().on('pubsub.items', listener as (event: unknown) => void);
      return () => subscription.unsubscribe();
    },
    view: () => connectPubsub(actor().getSnapshot() as SnapshotFrom<PubsubLogic>),
  };
}
