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

export type PresenceEvent =
  | PresenceRoutedEvent
  | SessionLifecycleEvent
  /** App intents that also change state: answering a pending subscription request. */
  | { type: 'presence.approve'; jid: string }
  | { type: 'presence.deny'; jid: string };

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
}
