/**
 * XEP-0191 Blocking Command: the block list, block and unblock requests and pushes.
 * Pure and synchronous.
 */
import { xml, type Element } from '@xmpp/xml';
import { normalizeJid } from '../../jid.js';
import type { RouteContext } from '../feature.js';
import { readIqRequest, StanzaParseError } from '../iq-request.js';
import type { BlockingPushEvent } from './blocking.types.js';

export const NS_BLOCKING = 'urn:xmpp:blocking';
/** Bound on the items one stanza may carry. */
const MAX_ITEMS = 10_000;

function readItems(el: Element): string[] {
  const jids = new Set<string>();
  for (const item of el.getChildren('item', NS_BLOCKING)) {
    const jid = normalizeJid(item.attrs.jid);
    if (jid !== undefined && jids.size < MAX_ITEMS) jids.add(jid);
  }
  return [...jids];
}

/** XEP-0191 §5.2: reads the `<blocklist/>` of a result. */
export function parseBlocklist(stanza: Element): string[] | StanzaParseError {
  const list = stanza.name === 'blocklist' ? stanza : stanza.getChild('blocklist', NS_BLOCKING);
  if (!list || list.getNS() !== NS_BLOCKING) return new StanzaParseError('no blocklist');
  return readItems(list);
}

/**
 * Routes a block/unblock push, or declines it: pushes come from the own server, i.e. no `from`,
 * the own bare JID or the own domain; anyone else could otherwise edit our block list view.
 */
export function parseBlockingPush(stanza: Element, context: RouteContext): BlockingPushEvent | undefined {
  const request = readIqRequest(stanza, context, ['block', 'unblock'], NS_BLOCKING, {
    type: 'set',
    acceptFrom: (from, { ownBare, domain }) => from === normalizeJid(ownBare) || from === normalizeJid(domain),
  });
  if (!request) return undefined;
  const { id, from, payload } = request;
  const action = payload.name === 'block' ? 'block' : 'unblock';
  const jids = readItems(payload);
  // XEP-0191 §5.3: a block push names at least one JID; an empty unblock means "everyone" (§5.5).
  if (action === 'block' && jids.length === 0) return undefined;
  const event: BlockingPushEvent = { type: 'blocking.push', id, action, jids };
  if (from !== undefined) event.from = from;
  return event;
}

export function buildBlocklistRequest(): Element {
  return xml('iq', { type: 'get' }, xml('blocklist', { xmlns: NS_BLOCKING }));
}

/** XEP-0191 §5.3: blocks `jids` (at least one). */
export function buildBlock(jids: readonly string[]): Element {
  return xml('iq', { type: 'set' }, xml('block', { xmlns: NS_BLOCKING }, ...jids.map((jid) => xml('item', { jid }))));
}

/** XEP-0191 §5.4: unblocks `jids`; no JIDs unblocks everyone (§5.5). */
export function buildUnblock(jids: readonly string[] = []): Element {
  return xml('iq', { type: 'set' }, xml('unblock', { xmlns: NS_BLOCKING }, ...jids.map((jid) => xml('item', { jid }))));
}
