import type { SessionLifecycleEvent } from '../feature.js';

/** RFC 6121 §4.7.2.1 `<show/>` values, plus `available` for an available presence without one. */
export type Show = 'available' | 'chat' | 'away' | 'xa' | 'dnd';

/** What one resource (a full JID) announced in its last available presence. */
export interface ResourcePresence {
  show: Show;
  status?: string;
  /** RFC 6121 §4.7.2.3: -128..127, 0 when absent. */
  priority: number;
}

/** A presence stanza as plain data; `from` is normalised. */
export type PresenceRoutedEvent =
  | ({ type: 'presence.available'; from: string } & ResourcePresence)
  | { type: 'presence.unavailable'; from: string; status?: string }
  /** Someone (a bare JID) asks to see our presence (RFC 6121 §3.1.4). */
  | { type: 'presence.subscriptionRequest'; from: string; status?: string }
  /** The contact unsubscribed from our presence, which also withdraws a pending request (RFC 6121 §3.3). */
  | { type: 'presence.subscriptionWithdrawn'; from: string };

/** What we announce: `show`, `status` and `priority` of our available presence. */
export interface OwnPresence {
  show: Show;
  status?: string;
  /** RFC 6121 §4.7.2.3; omitted from the stanza when undefined (the server assumes 0). */
  priority?: number;
}

/** App intents (the session forwards them to the presence actor). */
export type PresenceIntent =
  /** Sets our availability; sent at once when online, and announced on every fresh session. */
  | ({ type: 'presence.set' } & OwnPresence)
  /** RFC 6121 §3.1.1: asks `jid` to share its presence with us. */
  | { type: 'presence.subscribe'; jid: string; status?: string }
  /** RFC 6121 §3.3.1: stops receiving `jid`'s presence. */
  | { type: 'presence.unsubscribe'; jid: string }
  /** RFC 6121 §3.1.4: approves `jid`'s request, or pre-approves one (§3.4). */
  | { type: 'presence.approve'; jid: string }
  /** RFC 6121 §3.2.1: denies `jid`'s request, or cancels its subscription to us. */
  | { type: 'presence.deny'; jid: string }
  /** RFC 6121 §4.6: directed presence to `to` (available with `show`/`status`, or `unavailable`). */
  | { type: 'presence.direct'; to: string; show: Show | 'unavailable'; status?: string };

/** The presences of one socket read, in order (`FeatureModule.batches`). */
export interface PresenceBatchEvent {
  type: 'presence.batch';
  events: readonly PresenceRoutedEvent[];
}

export type PresenceEvent =
  | PresenceRoutedEvent
  | PresenceBatchEvent
  | SessionLifecycleEvent
  | PresenceIntent
  /** What other features put into our presence changed (caps `ver`, vCard avatar hash): announce again. */
  | { type: 'presence.refresh' };

export interface PendingRequest {
  jid: string;
  status?: string;
}

export interface PresenceContext {
  /** Available resources by bare JID, then by full JID. Keys come from the network: use `Object.hasOwn`. */
  resources: Record<string, Record<string, ResourcePresence>>;
  /** Incoming subscription requests by bare JID, oldest first. */
  pending: Record<string, PendingRequest>;
  /** Our own presence as the server reflected it back to this resource. */
  own: ResourcePresence | undefined;
  /** Our own full JID while online. */
  me: string | undefined;
  /** Whether a stream is up (stanzas sent now reach the server in this session). */
  online: boolean;
  /** What the app asked to announce (`presence.set`); available until it says otherwise. */
  intended: OwnPresence;
  /** What the current stream last announced; undefined before the first presence of a fresh session. */
  announced: OwnPresence | undefined;
  /** Whether a fresh session announces `intended` on its own (the `initialPresence` option). */
  announceOnline: boolean;
}
