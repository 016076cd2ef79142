import type { Element } from '@xmpp/xml';
import type { AnyActorLogic } from 'xstate';
import type { AppNotification } from '../client/notifications.js';
import type { IqTracker } from '../iq/iq-tracker.js';
import type { Clock } from '../iq/clock.js';
import type { Logger } from '../client/options.js';
import type { SentMessageRef } from '../wire/stanza-head.js';

/** Where a spec comes from, shown in the feature table and each feature's README. */
export interface SpecReference {
  xep: string;
  version: string;
  url: string;
}

/**
 * The stanzas a feature wants to see: a stanza name and the namespace of one of its children, or
 * `'*'` for every stanza of that name (a bare `<presence type='unavailable'/>` has no children).
 */
export interface StanzaKey {
  stanza: 'iq' | 'message' | 'presence';
  ns: string;
}

/** `StanzaKey.ns` for every stanza of the name, with or without children. */
export const ANY_NAMESPACE = '*';

/** What routing knows besides the stanza: plain data, the same for every feature. */
export interface RouteContext {
  /** The own full JID of the current stream. */
  me: string;
  /** The own bare JID. */
  ownBare: string;
  /** The own server's domain. */
  domain: string;
}

/** Services every feature logic may use; bound once per client, never stored in context. */
export interface FeatureServices {
  iq: IqTracker;
  clock: Clock;
  logger: Logger;
  /** Writes a stanza (queued while offline, in order). */
  send(stanza: Element): void;
  /** Writes a nonza on the current stream (dropped while offline; a new stream needs its own). */
  sendNonza(element: Element): void;
  /**
   * Tells the app something (`client.on(type, …)`): call it from an action's side effect
   * (`enqueue(() => services.notify(n))`), never while resolving a transition. Listener errors are
   * caught and logged, so an app bug cannot stop a feature actor.
   */
  notify(notification: AppNotification): void;
}

/** Plain-data facts every feature is started with. */
export interface FeatureInput {
  /** Full JID when the feature starts online; undefined for session features started before login. */
  jid: string | undefined;
  domain: string;
  software: { name: string; version: string; os?: string };
  keepalive: { interval: number; timeout: number };
  initialPresence: boolean;
  /** Messages each conversation and room keeps in memory (`limits.messagesInMemory`). */
  messagesInMemory: number;
  /** All features' disco#info features, for the disco responder and the caps hash. */
  discoFeatures: readonly string[];
}

/**
 * The fate of messages a feature wrote, by their stanza `id` and `to`: `outbound.acked` once the server
 * confirmed them (XEP-0198 acks; on a stream without stream management, the socket write);
 * `outbound.unsent` when the client stopped before the server did, so they may not have arrived.
 */
export type OutboundReportEvent =
  { type: 'outbound.acked'; messages: readonly SentMessageRef[] } | { type: 'outbound.unsent'; messages: readonly SentMessageRef[] };

/** Delivered to `lifetime: 'session'` features as the connection comes and goes. */
export type SessionLifecycleEvent =
  | {
      type: 'session.online';
      jid: string;
      resumed: boolean;
      /** Namespaces of the stream features the server offered after authentication (e.g. roster versioning). */
      streamFeatures?: readonly string[];
    }
  | { type: 'session.offline' };

/**
 * A protocol feature as data: the registry indexes `handles`, calls `route` only for matching
 * stanzas, and delivers the returned plain events to the feature's actor.
 */
export interface FeatureModule<TEvent extends { type: string } = { type: string }> {
  id: string;
  spec: readonly SpecReference[];
  /** Advertised in disco#info and hashed into entity capabilities. */
  discoFeatures: readonly string[];
  handles: readonly StanzaKey[];
  /**
   * Pure and synchronous: parse with the feature's codec, apply checks that depend only on the
   * stanza and the own JID, and return the events for the feature's actor (none to decline).
   * Declining an `iq` get/set leaves it to the session's `service-unavailable` reply.
   */
  route(stanza: Element, context: RouteContext): TEvent[];
  /** Builds the actor logic; services are closed over so that context stays plain data. */
  logic(services: FeatureServices): AnyActorLogic;
  /** `online`: runs only while online (invoked); `session`: runs for the client's life (spawned). */
  lifetime: 'online' | 'session';
  /**
   * App events the session forwards to this feature's actor unchanged, e.g. `chat.send`: apps send
   * them to `client.actor` (or `client.send`) without looking the feature actor up.
   */
  intents?: readonly string[];
  /**
   * The actor also accepts `{ type: '<id>.batch', events }`: its routed events of one socket read
   * (up to the next feature that does not batch), in order, to handle in one transition — for
   * features on a hot path. Such a feature must not depend on the order of its events relative to
   * another batching feature's within that read (see `createOutbox`).
   */
  batches?: boolean;
  /**
   * The actor also accepts {@link OutboundReportEvent}s: what became of the messages it wrote
   * (the server confirmed them, or the client stopped before it did). Session features only.
   */
  tracksOutbound?: boolean;
}

/** A `route` built from a parser that yields one event, or `undefined` to decline the stanza. */
export function routeOne<TEvent extends { type: string }>(
  parse: (stanza: Element, context: RouteContext) => TEvent | undefined,
): FeatureModule<TEvent>['route'] {
  return (stanza, context) => {
    const event = parse(stanza, context);
    return event === undefined ? [] : [event];
  };
}

export function defineFeature<TEvent extends { type: string }>(feature: FeatureModule<TEvent>): FeatureModule<TEvent> {
  return feature;
}
