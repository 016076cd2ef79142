/**
 * RFC 6121 §3 (subscriptions) and §4 (exchanging presence): reading presence stanzas and building
 * the ones a client sends. Pure and synchronous.
 */
import { xml, type Element } from '@xmpp/xml';
import { bareJid, normalizeJid } from '../../jid.js';
import type { RouteContext } from '../feature.js';
import type { PresenceRoutedEvent, ResourcePresence, Show } from './presence.types.js';

export const NS_CLIENT = 'jabber:client';
/** RFC 6121 §3.4.1: the stream feature a server offers subscription pre-approval with (`<sub/>`). */
export const NS_PRE_APPROVAL = 'urn:xmpp:features:pre-approval';
/** MUC presence belongs to the MUC feature (XEP-0045). */
export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';

const SHOWS: readonly string[] = ['chat', 'away', 'xa', 'dnd'];
const MAX_STATUS = 1024;

/** RFC 6121 §4.7.2: the show, status and priority of an available presence. */
export function parseResourcePresence(stanza: Element): ResourcePresence {
  const showText = stanza.getChildText('show', NS_CLIENT)?.trim();
  // RFC 6121 §4.7.2.1 defines chat, away, xa and dnd, and "If no <show/> element is provided, the entity
  // is assumed to be online and available." An unknown value is read here as if absent (our choice).
  const show: Show = showText !== undefined && SHOWS.includes(showText) ? (showText as Show) : 'available';
  const presence: ResourcePresence = { show, priority: 0 };
  const status = stanza.getChildText('status', NS_CLIENT);
  if (status !== null && status !== undefined && status.length > 0) presence.status = status.slice(0, MAX_STATUS);
  const priority = Number.parseInt(stanza.getChildText('priority', NS_CLIENT) ?? '', 10);
  // RFC 6121 §4.7.2.3: "The value MUST be an integer between -128 and +127."
  if (Number.isInteger(priority) && priority >= -128 && priority <= 127) presence.priority = priority;
  return presence;
}

/**
 * Routes a presence: available/unavailable from a full or bare JID, subscription requests and
 * withdrawals. Declines MUC presence, probes, errors, and stanzas without a usable `from`.
 */
export function parsePresence(stanza: Element, context: RouteContext): PresenceRoutedEvent | undefined {
  if (stanza.name !== 'presence') return undefined;
  if (stanza.getChild('x', NS_MUC_USER)) return undefined;
  const from = normalizeJid(stanza.attrs.from);
  if (from === undefined) return undefined;
  const type = stanza.attrs.type;
  const status = stanza.getChildText('status', NS_CLIENT)?.slice(0, MAX_STATUS) || undefined;
  switch (type) {
    case undefined:
      return { type: 'presence.available', from, ...parseResourcePresence(stanza) };
    case 'unavailable':
      return status === undefined ? { type: 'presence.unavailable', from } : { type: 'presence.unavailable', from, status };
    case 'subscribe': {
      // RFC 6121 §3.1.2: the requester's server stamps the request with its bare JID; a
      // full JID is reduced to it (the subscription is between bare JIDs anyway).
      const bare = bareJid(from)!;
      if (bare === normalizeJid(context.ownBare)) return undefined;
      return status === undefined
        ? { type: 'presence.subscriptionRequest', from: bare }
        : { type: 'presence.subscriptionRequest', from: bare, status };
    }
    case 'unsubscribe':
      return { type: 'presence.subscriptionWithdrawn', from: bareJid(from)! };
    default:
      // subscribed/unsubscribed show up in the roster (a push follows); probe and error are the server's business.
      return undefined;
  }
}

/** A presence of `type` addressed to `jid`'s bare JID (subscription stanzas, RFC 6121 §3). */
function subscriptionStanza(jid: string, type: 'subscribe' | 'subscribed' | 'unsubscribe' | 'unsubscribed', status?: string): Element {
  const bare = bareJid(jid);
  if (bare === undefined) throw new TypeError(`not a JID: ${jid}`);
  return xml('presence', { to: bare, type }, status === undefined ? undefined : xml('status', {}, status));
}

/** RFC 6121 §3.1.1: a subscription request. */
export const buildSubscribe = (jid: string, status?: string) => subscriptionStanza(jid, 'subscribe', status);
/** RFC 6121 §3.1.4: approving a request (or pre-approving, §3.4). */
export const buildSubscribed = (jid: string) => subscriptionStanza(jid, 'subscribed');
/** RFC 6121 §3.3.1: cancelling our subscription to the contact. */
export const buildUnsubscribe = (jid: string) => subscriptionStanza(jid, 'unsubscribe');
/** RFC 6121 §3.1.4 / §3.2.1: denying a request, or cancelling the contact's subscription to us. */
export const buildUnsubscribed = (jid: string) => subscriptionStanza(jid, 'unsubscribed');

/** Our broadcast presence (RFC 6121 §4.2, §4.4; §4.5 for `unavailable`, which ends it); other shows go in `<show/>`. */
export function buildPresence(
  show: Show | 'unavailable',
  status?: string,
  priority?: number,
  extensions: readonly Element[] = [],
): Element {
  if (show === 'unavailable') {
    return xml('presence', { type: 'unavailable' }, status === undefined ? undefined : xml('status', {}, status));
  }
  return xml(
    'presence',
    {},
    show === 'available' ? undefined : xml('show', {}, show),
    status === undefined ? undefined : xml('status', {}, status),
    priority === undefined ? undefined : xml('priority', {}, String(Math.max(-128, Math.min(127, Math.trunc(priority))))),
    ...extensions,
  );
}
