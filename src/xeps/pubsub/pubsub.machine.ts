import { assign, emit, enqueueActions, setup } from 'xstate';
import { normalizeJid, parseJid } from '../../jid.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { isPubsubId } from './pubsub.codec.js';
import type { NodeItems, PubsubContext, PubsubEmitted, PubsubEvent, PubsubItem, PubsubNotificationEvent } from './pubsub.types.js';

/** The service part of a follow key meaning "every PEP service" (every account's bare JID). */
export const ANY_PEP_SERVICE = '*';

export interface PubsubFollow {
  node: string;
  /** A pubsub service or one account's bare JID; every PEP service when absent. */
  service?: string;
}

export interface PubsubOptions {
  /**
   * PEP nodes whose notifications the client asks for (XEP-0163 §4.2 filtered notifications): each
   * is advertised as `<node>+notify` through disco/caps and followed at every PEP service. A list
   * given replaces the default one.
   * @default [XEP-0084 avatar metadata, XEP-0172 nickname]
   */
  notify?: readonly string[];
  /** More (service, node) pairs followed from the start (e.g. a subscribed pubsub component node). */
  follow?: readonly PubsubFollow[];
  /** Items kept per followed (service, node), newest last. @default 10 */
  itemsPerNode?: number;
  /** Most (service, node) pairs kept; notifications for more are dropped. @default 10000 */
  maxNodes?: number;
}

/** `<service>\n<node>`: a newline is in neither a JID nor (as we accept them) a node used here as a key part. */
export const followKey = (service: string, node: string): string => `${service}\n${node}`;

/** The normalised follow key of an intent, or `undefined` when it names no usable node or service. */
export function followKeyOf(follow: { node: unknown; service?: unknown }): string | undefined {
  if (!isPubsubId(follow.node) || follow.node.includes('\n')) return undefined;
  if (follow.service === undefined) return followKey(ANY_PEP_SERVICE, follow.node);
  const service = normalizeJid(follow.service);
  return service === undefined ? undefined : followKey(service, follow.node);
}

/** A PEP service is an account: a bare JID with a localpart (XEP-0163 §2.1 "Every Account a Pubsub Service"). */
const isAccount = (service: string): boolean => {
  const parts = parseJid(service);
  return parts !== undefined && parts.local !== undefined && parts.resource === undefined;
};

/**
 * Whether a notification from `service` about `node` concerns something followed. The route already
 * refused every full JID; here a node followed at one service is taken only from that service, and
 * a node followed at every PEP service only from accounts (whose bare JID is the PEP service, so
 * what one contact publishes can only land under that contact's key).
 */
export function isFollowed(follows: readonly string[], service: string, node: string): boolean {
  if (follows.includes(followKey(service, node))) return true;
  return isAccount(service) && follows.includes(followKey(ANY_PEP_SERVICE, node));
}

/** A node's items after a notification: cleared, retracted ids dropped, re-published ids moved last. */
export function applyNotification(items: readonly PubsubItem[], event: PubsubNotificationEvent, keep: number): PubsubItem[] {
  let next = event.cleared ? [] : [...items];
  if (event.retracted.length > 0) {
    const gone = new Set(event.retracted);
    next = next.filter((item) => item.id === undefined || !gone.has(item.id));
  }
  for (const item of event.items) {
    // XEP-0060 §7.1.3: an item published with the id of an existing one overwrites it.
    if (item.id !== undefined) next = next.filter((old) => old.id !== item.id);
    next.push(item);
  }
  return next.length > keep ? next.slice(next.length - keep) : next;
}

const toEmitted = (event: PubsubNotificationEvent): PubsubEmitted => {
  const out: PubsubEmitted = {
    type: 'pubsub.items',
    service: event.service,
    node: event.node,
    items: event.items,
    retracted: event.retracted,
  };
  if (event.cleared) out.cleared = event.cleared;
  if (event.delay !== undefined) out.delay = event.delay;
  return out;
};

/**
 * The pubsub actor: keeps the latest items of every followed (service, node) from the
 * notifications the route let through, and emits `pubsub.items` for each one that changed
 * something. Requests (publish, items, …) are promise functions beside it, not actor work.
 */
export function createPubsubLogic(services: FeatureServices, options: PubsubOptions = {}) {
  const itemsPerNode = options.itemsPerNode ?? 10;
  const maxNodes = options.maxNodes ?? 10_000;
  const initial = [
    ...(options.notify ?? []).map((node) => followKeyOf({ node })),
    ...(options.follow ?? []).map((f) => followKeyOf(f)),
  ].filter((key): key is string => key !== undefined);

  return setup({
    types: {
      context: {} as PubsubContext,
      events: {} as PubsubEvent,
      input: {} as FeatureInput,
      emitted: {} as PubsubEmitted,
    },
    actions: {
      follow: assign({
        follows: ({ context, event }) => {
          if (event.type !== 'pubsub.follow') return context.follows;
          const key = followKeyOf(event);
          return key === undefined || context.follows.includes(key) ? context.follows : [...context.follows, key];
        },
      }),
      unfollow: assign(({ context, event }) => {
        if (event.type !== 'pubsub.unfollow') return {};
        const key = followKeyOf(event);
        if (key === undefined) return {};
        const follows = context.follows.filter((f) => f !== key);
        const nodes: Record<string, NodeItems> = {};
        for (const [k, entry] of Object.entries(context.nodes)) if (isFollowed(follows, entry.service, entry.node)) nodes[k] = entry;
        return { follows, nodes };
      }),
      // A socket read's notifications in one transition (the feature batches: at login a PEP
      // service replays the last item of every followed node of every contact).
      apply: enqueueActions(({ context, event, enqueue }) => {
        const events = event.type === 'pubsub.batch' ? event.events : event.type === 'pubsub.notification' ? [event] : [];
        let nodes = context.nodes;
        let count = Object.keys(nodes).length;
        const emitted: PubsubEmitted[] = [];
        for (const notification of events) {
          if (!isFollowed(context.follows, notification.service, notification.node)) {
            services.logger.debug('pubsub: notification for a node not followed', {
              service: notification.service,
              node: notification.node,
            });
            continue;
          }
          const key = followKey(notification.service, notification.node);
          const before = nodes[key];
          if (!before && count >= context.maxNodes) {
            services.logger.warn('pubsub: too many followed nodes, notification dropped', {
              service: notification.service,
              node: notification.node,
            });
            continue;
          }
          if (!before) count += 1;
          const items = applyNotification(before?.items ?? [], notification, context.itemsPerNode);
          nodes = { ...nodes, [key]: { service: notification.service, node: notification.node, items } };
          emitted.push(toEmitted(notification));
        }
        if (emitted.length === 0) return;
        enqueue.assign({ nodes });
        for (const e of emitted) enqueue(emit(e));
      }),
    },
  }).createMachine({
    id: 'pubsub',
    context: () => ({ follows: [...new Set(initial)], nodes: {}, itemsPerNode, maxNodes }),
    on: {
      'pubsub.follow': { actions: 'follow' },
      'pubsub.unfollow': { actions: 'unfollow' },
      'pubsub.notification': { actions: 'apply' },
      'pubsub.batch': { actions: 'apply' },
    },
  });
}

export type PubsubLogic = ReturnType<typeof createPubsubLogic>;
