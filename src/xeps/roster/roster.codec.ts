/**
 * RFC 6121 §2 roster management and §2.6 roster versioning (formerly XEP-0237): the
 * `jabber:iq:roster` query, items, gets, sets and pushes. Pure and synchronous.
 */
import { xml, type Element } from '@xmpp/xml';
import { bareJid, normalizeJid } from '../../jid.js';
import type { RouteContext } from '../feature.js';
import { readIqRequest, StanzaParseError } from '../iq-request.js';
import type { RosterItem, RosterPushEvent, RosterRemoval, RosterResult, Subscription } from './roster.types.js';

export const NS_ROSTER = 'jabber:iq:roster';
/** RFC 6121 §2.6.1: the stream feature a server offers when it versions rosters. */
export const NS_ROSTERVER = 'urn:xmpp:features:rosterver';

const SUBSCRIPTIONS: readonly string[] = ['none', 'to', 'from', 'both'];
/** Bounds on what one item may carry (a hostile server or push cannot blow up the context). */
const MAX_GROUPS = 100;
const MAX_TEXT = 1024;

/** Reads one `<item/>`: a roster item, a removal, or why it is unusable. */
export function parseRosterItem(el: Element): RosterItem | RosterRemoval | StanzaParseError {
  if (el.name !== 'item' || el.getNS() !== NS_ROSTER) return new StanzaParseError('not a roster item');
  // RFC 6121 §2.1.2.3: the 'jid' attribute is REQUIRED. Keeping only bare-JID items is this client's own rule.
  const raw = el.attrs.jid;
  const jid = normalizeJid(raw);
  if (jid === undefined || bareJid(raw) !== jid) return new StanzaParseError(`unusable item jid ${String(raw)}`);
  const subscription = el.attrs.subscription ?? 'none';
  if (subscription === 'remove') return { jid, subscription: 'remove' };
  if (!SUBSCRIPTIONS.includes(subscription)) return new StanzaParseError(`unknown subscription ${subscription}`);
  const item: RosterItem = { jid, subscription: subscription as Subscription, groups: [] };
  const name = el.attrs.name;
  if (typeof name === 'string' && name.length > 0) item.name = name.slice(0, MAX_TEXT);
  // RFC 6121 §2.1.2.2 defines only the value "subscribe" for 'ask' (a "Pending Out" sub-state).
  if (el.attrs.ask === 'subscribe') item.ask = 'subscribe';
  if (el.attrs.approved === 'true' || el.attrs.approved === '1') item.approved = true;
  const groups = new Set<string>();
  for (const group of el.getChildren('group', NS_ROSTER)) {
    const text = group.text().slice(0, MAX_TEXT);
    // An empty group names nothing; duplicates collapse.
    if (text.length > 0 && groups.size < MAX_GROUPS) groups.add(text);
  }
  item.groups = [...groups];
  return item;
}

/**
 * Reads the answer to a roster get. An IQ result without a `<query/>` means the roster is
 * unchanged since the `ver` we sent; a `<query/>` carries the complete roster (RFC 6121 §2.6).
 */
export function parseRosterResult(stanza: Element): RosterResult | StanzaParseError {
  const query = stanza.name === 'query' ? stanza : stanza.getChild('query', NS_ROSTER);
  if (!query) {
    if (stanza.getChildElements().length === 0) return { kind: 'unchanged' };
    return new StanzaParseError('roster result without a roster query');
  }
  if (query.getNS() !== NS_ROSTER) return new StanzaParseError('not a roster query');
  const items: RosterItem[] = [];
  const seen = new Set<string>();
  for (const child of query.getChildren('item', NS_ROSTER)) {
    const item = parseRosterItem(child);
    // One bad item should not cost the whole roster: skip it (and removals, which a result never carries).
    if (item instanceof StanzaParseError || item.subscription === 'remove' || seen.has(item.jid)) continue;
    seen.add(item.jid);
    items.push(item);
  }
  const ver = query.attrs.ver;
  return typeof ver === 'string' ? { kind: 'complete', ver, items } : { kind: 'complete', items };
}

/**
 * Routes a roster push, or returns `undefined` to decline it (the session then answers an
 * iq set with service-unavailable).
 */
export function parseRosterPush(stanza: Element, context: RouteContext): RosterPushEvent | undefined {
  const request = readIqRequest(stanza, context, 'query', NS_ROSTER, {
    type: 'set',
    // RFC 6121 §2.1.6: "A receiving client MUST ignore the stanza unless it has no 'from' attribute
    // (i.e., implicitly from the bare JID of the user's account) or it has a 'from' attribute whose
    // value matches the user's bare JID <user@domainpart>." A full JID, even our own, is not that.
    acceptFrom: (from, { ownBare }) => from === normalizeJid(ownBare),
  });
  if (!request) return undefined;
  const { id, from, payload: query } = request;
  // A push carries the one item that changed (RFC 6121 §2.1.6); anything else is not a push.
  const items = query.getChildren('item', NS_ROSTER);
  if (items.length !== 1) return undefined;
  const item = parseRosterItem(items[0]!);
  if (item instanceof StanzaParseError) return undefined;
  const event: RosterPushEvent = { type: 'roster.push', id, item };
  if (from !== undefined) event.from = from;
  if (typeof query.attrs.ver === 'string') event.ver = query.attrs.ver;
  return event;
}

/** A roster get; `ver` asks for changes since that version (`''` bootstraps versioning). */
export function buildRosterGet(ver?: string): Element {
  return xml('iq', { type: 'get' }, xml('query', { xmlns: NS_ROSTER, ver }));
}

/** A roster set adding or updating one item (RFC 6121 §2.3, §2.4); the server keeps subscription state. */
export function buildRosterSet(item: { jid: string; name?: string; groups?: readonly string[] }): Element {
  return xml(
    'iq',
    { type: 'set' },
    xml(
      'query',
      { xmlns: NS_ROSTER },
      xml('item', { jid: item.jid, name: item.name }, ...(item.groups ?? []).map((g) => xml('group', {}, g))),
    ),
  );
}

/** RFC 6121 §2.5: a roster set removing `jid` (`subscription='remove'`). */
export function buildRosterRemove(jid: string): Element {
  return xml('iq', { type: 'set' }, xml('query', { xmlns: NS_ROSTER }, xml('item', { jid, subscription: 'remove' })));
}

/** Writes an item as the server would send it (for caches and tests). */
export function buildRosterItem(item: RosterItem): Element {
  return xml(
    'item',
    {
      jid: item.jid,
      name: item.name,
      subscription: item.subscription,
      ask: item.ask,
      approved: item.approved ? 'true' : undefined,
    },
    ...item.groups.map((g) => xml('group', {}, g)),
  );
}
