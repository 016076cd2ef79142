import type { DataForm } from '../disco/disco.types.js';
import type { SessionLifecycleEvent } from '../feature.js';
import type { XmlNode } from './xml-node.js';

export type { XmlNode };

/** One pubsub item as plain data (XEP-0060 §6.5, §7.1). */
export interface PubsubItem {
  /** The ItemID; absent only where a service sent none (a node without persistent items). */
  id?: string;
  /** The one payload element; absent in a notification without payload. */
  payload?: XmlNode;
  /** XEP-0060 §7.1.2.3: the JID the service stamped as the item's publisher, when it did. */
  publisher?: string;
}

/** XEP-0059 paging facts of an items result. */
export interface RsmPage {
  first?: string;
  last?: string;
  count?: number;
  /** `<first index>`: the position of the first item in the whole result set. */
  firstIndex?: number;
}

/** An items result (XEP-0060 §6.5). */
export interface ItemsResult {
  node: string;
  items: PubsubItem[];
  /** Present when the service paged (XEP-0060 §6.5.4 "Returning Some Items"). */
  rsm?: RsmPage;
}

/** XEP-0060 §6.1.2: the subscription states a service reports. */
export type SubscriptionState = 'subscribed' | 'pending' | 'unconfigured' | 'none';

export interface Subscription {
  node: string;
  jid: string;
  subscription: SubscriptionState;
  subid?: string;
}

/** A node configuration form (XEP-0060 §8.2) in the disco codec's plain form shape. */
export type NodeConfigForm = DataForm;

/** Field values for publish-options or a submitted configuration: a string, a list, or a boolean. */
export type FormValues = Record<string, string | boolean | readonly string[]>;

/**
 * One routed notification (XEP-0060 §7.1.2, §7.2.2, §8.4, §8.5): what one `<items/>`, `<purge/>`
 * or `<delete/>` of a `<message><event/>` says about one node. `service` is the sender's bare JID
 * (the own bare JID when the server left `from` out), never a full JID: those are declined by
 * the route.
 */
export interface PubsubNotificationEvent {
  type: 'pubsub.notification';
  service: string;
  node: string;
  /** Published or re-published items, in document order. */
  items: PubsubItem[];
  /** ItemIDs retracted. */
  retracted: string[];
  /** The node was purged (every item gone) or deleted. */
  cleared?: 'purge' | 'delete';
  /** XEP-0203 stamp when the service replayed a last published item. */
  delay?: string;
}

/**
 * Follow a node: keep its latest items from notifications. Without `service`, the node is
 * followed at every PEP service (every contact's bare JID and the own one, XEP-0163); with it,
 * only at that service (a pubsub component like `pubsub.example.org`, or one contact's bare JID).
 */
export interface PubsubFollowEvent {
  type: 'pubsub.follow';
  node: string;
  service?: string;
}

export interface PubsubUnfollowEvent {
  type: 'pubsub.unfollow';
  node: string;
  service?: string;
}

export type PubsubIntent = PubsubFollowEvent | PubsubUnfollowEvent;

export type PubsubEvent =
  PubsubNotificationEvent | { type: 'pubsub.batch'; events: PubsubNotificationEvent[] } | PubsubIntent | SessionLifecycleEvent;

/** The latest items of one followed (service, node). */
export interface NodeItems {
  service: string;
  node: string;
  /** Oldest first, at most the feature's `itemsPerNode`. */
  items: PubsubItem[];
}

export interface PubsubContext {
  /** Followed keys: `<service>\n<node>`, with `*` as the service for "any PEP service". */
  follows: string[];
  /** By `<service>\n<node>`. */
  nodes: Record<string, NodeItems>;
  itemsPerNode: number;
  maxNodes: number;
}

/** Emitted (`actor.on('pubsub.items', …)`) after a notification changed a followed node. */
export interface PubsubItemsEmitted {
  type: 'pubsub.items';
  service: string;
  node: string;
  /** What the notification published, and what it retracted. */
  items: PubsubItem[];
  retracted: string[];
  cleared?: 'purge' | 'delete';
  delay?: string;
}

export type PubsubEmitted = PubsubItemsEmitted;
