/**
 * ejabberd's MucSub (`urn:xmpp:mucsub:0`, documented at docs.ejabberd.im/developer/xmpp-clients-bots/extensions/muc-sub/):
 * subscribing to a room's events without being an occupant. Events arrive as PubSub event
 * messages from the room's bare JID wrapping the room's own message or presence. Pure; never throws.
 */
import { xml, type Element } from '@xmpp/xml';
import { XmppAdapterError } from '../../errors.js';
import { bareJid, normalizeJid } from '../../jid.js';
import { StanzaParseError } from '../iq-request.js';
import { invalidArgument, roomJidOf, usableNick } from './muc-common.codec.js';

export const NS_MUCSUB = 'urn:xmpp:mucsub:0';
const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';

/** The room event nodes a subscription can name. */
export const MUCSUB_NODES = {
  messages: 'urn:xmpp:mucsub:nodes:messages',
  presence: 'urn:xmpp:mucsub:nodes:presence',
  subject: 'urn:xmpp:mucsub:nodes:subject',
  affiliations: 'urn:xmpp:mucsub:nodes:affiliations',
  config: 'urn:xmpp:mucsub:nodes:config',
  system: 'urn:xmpp:mucsub:nodes:system',
} as const;

export type MucSubNode = (typeof MUCSUB_NODES)[keyof typeof MUCSUB_NODES];
const KNOWN_NODES: readonly string[] = Object.values(MUCSUB_NODES);

/** Subscribes to `room`'s events under `nick` (an IQ set to the room). */
export function buildSubscribe(room: string, nick: string, nodes: readonly MucSubNode[], password?: string): Element | XmppAdapterError {
  const to = roomJidOf(room);
  if (to === undefined) return invalidArgument(`not a room JID: ${String(room)}`);
  if (usableNick(nick) === undefined) return invalidArgument(`not a usable nick: ${String(nick)}`);
  if (nodes.length === 0 || nodes.some((n) => !KNOWN_NODES.includes(n))) return invalidArgument('subscribe to at least one known node');
  const subscribe = xml(
    'subscribe',
    { xmlns: NS_MUCSUB, nick, ...(password ? { password } : {}) },
    ...nodes.map((node) => xml('event', { node })),
  );
  return xml('iq', { type: 'set', to }, subscribe);
}

/** Ends the subscription to `room`. */
export function buildUnsubscribe(room: string): Element | XmppAdapterError {
  const to = roomJidOf(room);
  if (to === undefined) return invalidArgument(`not a room JID: ${String(room)}`);
  return xml('iq', { type: 'set', to }, xml('unsubscribe', { xmlns: NS_MUCSUB }));
}

/** Asks a MUC service (or a room, for its subscribers) for the subscriptions. */
export function buildSubscriptionsRequest(to: string): Element | XmppAdapterError {
  const jid = normalizeJid(to);
  if (jid === undefined || bareJid(jid) !== jid) return invalidArgument(`not a bare JID: ${String(to)}`);
  return xml('iq', { type: 'get', to: jid }, xml('subscriptions', { xmlns: NS_MUCSUB }));
}

export interface MucSubSubscription {
  /** The room (when the service lists our subscriptions) or the subscriber (when a room lists its own). */
  jid: string;
  nick?: string;
  nodes: string[];
}

/** The `<subscriptions/>` answer: rooms we are subscribed to, with their nodes. */
export function parseSubscriptions(iq: Element): MucSubSubscription[] | StanzaParseError {
  if (iq.name !== 'iq' || iq.attrs.type !== 'result') return new StanzaParseError('not an IQ result');
  const list = iq.getChild('subscriptions', NS_MUCSUB);
  if (list === undefined) return new StanzaParseError('no <subscriptions/>');
  const subscriptions: MucSubSubscription[] = [];
  for (const item of list.getChildren('subscription', NS_MUCSUB).slice(0, 10_000)) {
    const jid = normalizeJid(item.attrs.jid);
    if (jid === undefined) continue;
    const subscription: MucSubSubscription = {
      jid,
      nodes: item
        .getChildren('event', NS_MUCSUB)
        .map((e) => String(e.attrs.node ?? ''))
        .filter(Boolean),
    };
    const nick = usableNick(item.attrs.nick);
    if (nick !== undefined) subscription.nick = nick;
    subscriptions.push(subscription);
  }
  return subscriptions;
}

/**
 * The room's stanza inside a MucSub event message, or why it is refused. The event must come from
 * a room's bare JID, name a MucSub node, and wrap one message or presence whose `from` is that room
 * or one of its occupants: a subscriber learns only what the room itself says.
 */
export function unwrapMucSubEvent(message: Element): { room: string; stanza: Element } | StanzaParseError {
  if (message.name !== 'message' || message.attrs.type === 'error') return new StanzaParseError('not an event message');
  const room = roomJidOf(message.attrs.from);
  if (room === undefined) return new StanzaParseError('MucSub event not from a room');
  const items = message.getChild('event', NS_PUBSUB_EVENT)?.getChild('items');
  if (items === undefined || !KNOWN_NODES.includes(String(items.attrs.node))) return new StanzaParseError('not a MucSub node');
  const item = items.getChildren('item');
  if (item.length !== 1) return new StanzaParseError('expected one item');
  const inner = item[0]!.getChildElements().filter((c) => c.name === 'message' || c.name === 'presence');
  if (inner.length !== 1) return new StanzaParseError('expected one message or presence');
  const stanza = inner[0]!;
  if (bareJid(stanza.attrs.from) !== room) return new StanzaParseError('wrapped stanza not from the room');
  return { room, stanza };
}
