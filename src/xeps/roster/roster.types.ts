import type { SessionLifecycleEvent } from '../feature.js';
import type { IqRequestRef } from '../iq-request.js';

/** RFC 6121 §2.1.2.5: the subscription states a roster item can be in. */
export type Subscription = 'none' | 'to' | 'from' | 'both';

/** One contact of the roster (RFC 6121 §2.1.2) as plain data. */
export interface RosterItem {
  /** The contact's normalised bare JID. */
  jid: string;
  name?: string;
  subscription: Subscription;
  /** RFC 6121 §2.1.2.2: a subscription request we sent is pending. */
  ask?: 'subscribe';
  /** RFC 6121 §2.1.2.1: we pre-approved the contact's subscription. */
  approved?: boolean;
  groups: string[];
}

/** A push or set that removes `jid` from the roster (`subscription='remove'`). */
export interface RosterRemoval {
  jid: string;
  subscription: 'remove';
}

/** What a roster get returned: the complete roster, or "unchanged since `ver`" (an empty result). */
export type RosterResult = { kind: 'complete'; ver?: string; items: RosterItem[] } | { kind: 'unchanged' };

/** A roster push the server sent us (RFC 6121 §2.1.6), already checked for its sender. */
export interface RosterPushEvent extends IqRequestRef {
  type: 'roster.push';
  item: RosterItem | RosterRemoval;
  ver?: string;
}

/** What `route` hands the roster actor. */
export type RosterRoutedEvent = RosterPushEvent;

/** `session.online` carries the stream features offered; roster versioning is one of them. */
export type RosterSessionEvent = SessionLifecycleEvent;

/** App intents that change the roster on the server; the result comes back as a roster push. */
export type RosterCommand =
  /** RFC 6121 §2.3/§2.4: adds the contact, or replaces its name and groups. */
  | { type: 'roster.add'; jid: string; name?: string; groups?: readonly string[] }
  /** RFC 6121 §2.5: removes the contact (the server cancels the subscriptions both ways). */
  | { type: 'roster.remove'; jid: string };

/** How a command child (`command.<n>`) ends. */
export type RosterCommandOutcome = { type: `xstate.done.actor.${string}` } | { type: `xstate.error.actor.${string}`; error: unknown };

export type RosterEvent =
  | RosterRoutedEvent
  | RosterSessionEvent
  | RosterCommand
  | RosterCommandOutcome
  /** Fetch the roster again (complete, or from the last `ver`). */
  | { type: 'roster.refresh' };

/** A roster known from an earlier run, e.g. restored from storage, to fetch from by version. */
export interface RosterCache {
  ver: string;
  items: Record<string, RosterItem>;
}

export interface RosterOptions {
  /**
   * Whether to use roster versioning (RFC 6121 §2.6). `'auto'`: send `ver` when the session's
   * stream features offer versioning, or — for a session that did not report its features — once
   * a result carried one. `true`: send `ver` (empty to bootstrap) unless the stream features say
   * the server lacks versioning. `false`: never.
   * @default 'auto'
   */
  versioning?: boolean | 'auto';
  /** A roster cached by the app from an earlier run; its `ver` is sent on the first fetch. */
  cache?: RosterCache;
}

export type RosterStatus = 'idle' | 'loading' | 'ready' | 'failed';

export interface RosterContext {
  /** Contacts by bare JID; keys come from the network, so look them up with `Object.hasOwn`. */
  items: Record<string, RosterItem>;
  /** The version of `items`, when the server versions the roster. */
  ver: string | undefined;
  versioning: boolean | 'auto';
  /** Whether this session's stream features offered versioning; undefined when the session did not say. */
  serverVersioning: boolean | undefined;
  /** Pushes that arrived while the roster was being fetched, applied after the result. */
  heldPushes: RosterPushEvent[];
  /** Why the last fetch failed. */
  error: string | undefined;
  /** Why the last `roster.add` / `roster.remove` failed (cleared by the next one that succeeds). */
  commandError: string | undefined;
}
