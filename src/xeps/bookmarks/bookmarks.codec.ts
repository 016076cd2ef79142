/**
 * XEP-0402 PEP Native Bookmarks and the XEP-0048 legacy storage (XEP-0223 private PEP node):
 * pubsub requests, bookmark payloads and PEP notifications. Pure and synchronous; parsers return
 * a `StanzaParseError` (never throw) and refuse hostile input.
 */
import { xml, type Element } from '@xmpp/xml';
import { normalizeJid, parseJid } from '../../jid.js';
import type { RouteContext } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import { NS_PUBSUB, NS_PUBSUB_EVENT, NS_PUBSUB_PUBLISH_OPTIONS, buildPublishOptions } from '../pubsub/pubsub.codec.js';
import { fromXmlNode, toXmlNode } from '../pubsub/xml-node.js';
import type { Bookmark, BookmarkChange, BookmarksMode, BookmarksNotificationEvent, LegacyUrlBookmark, XmlNode } from './bookmarks.types.js';

export const NS_BOOKMARKS = 'urn:xmpp:bookmarks:1';
/** XEP-0402: the account feature telling that the server keeps XEP-0048 storage in step. */
export const NS_BOOKMARKS_COMPAT = 'urn:xmpp:bookmarks:1#compat';
export const NS_BOOKMARKS_LEGACY = 'storage:bookmarks';
/** The pubsub namespaces, shared with the `pubsub` feature. */
export { NS_PUBSUB, NS_PUBSUB_EVENT, NS_PUBSUB_PUBLISH_OPTIONS };
/** XEP-0163 §4: asking for notifications of a node through entity capabilities. */
export const NOTIFY_BOOKMARKS = `${NS_BOOKMARKS}+notify`;
export const NOTIFY_BOOKMARKS_LEGACY = `${NS_BOOKMARKS_LEGACY}+notify`;
/** XEP-0048 §3: the id of the one item holding the whole legacy storage. */
export const LEGACY_ITEM_ID = 'current';

/** At most this many bookmarks: a longer list is refused as a whole. */
export const MAX_BOOKMARKS = 1000;
/** Longest bookmark name and password, in characters. */
export const MAX_NAME_LENGTH = 1024;
export const MAX_PASSWORD_LENGTH = 1024;
/** A nick is a resourcepart: RFC 7622 §3.4 allows 1 to 1023 bytes. */
export const MAX_NICK_BYTES = 1023;
/** Bounds on the `<extensions/>` kept per bookmark. */
export const MAX_EXTENSION_NODES = 256;
export const MAX_EXTENSION_DEPTH = 16;
export const MAX_EXTENSION_TEXT = 16_384;

const encoder = new TextEncoder();

const modeOfNode = (node: unknown): BookmarksMode | undefined =>
  node === NS_BOOKMARKS ? 'native' : node === NS_BOOKMARKS_LEGACY ? 'legacy' : undefined;

/** The room's normalised bare JID, or `undefined` unless `value` is `room@service` without a resource. */
export function roomJidOf(value: unknown): string | undefined {
  const parts = parseJid(value);
  if (!parts || parts.local === undefined || parts.resource !== undefined) return undefined;
  return normalizeJid(value);
}

/** Why `bookmark` may not be kept or published, or `undefined` when it is fine. */
export function bookmarkProblem(bookmark: Bookmark): string | undefined {
  if (roomJidOf(bookmark.room) !== bookmark.room) return `not a normalised bare room JID: ${String(bookmark.room).slice(0, 64)}`;
  if (typeof bookmark.autojoin !== 'boolean') return 'autojoin is not a boolean';
  if (bookmark.name !== undefined && (typeof bookmark.name !== 'string' || bookmark.name.length > MAX_NAME_LENGTH)) {
    return 'name too long';
  }
  if (bookmark.nick !== undefined) {
    if (typeof bookmark.nick !== 'string' || bookmark.nick.length === 0) return 'empty nick';
    if (bookmark.nick.length * 3 > MAX_NICK_BYTES && encoder.encode(bookmark.nick).length > MAX_NICK_BYTES) return 'nick too long';
  }
  if (bookmark.password !== undefined && (typeof bookmark.password !== 'string' || bookmark.password.length > MAX_PASSWORD_LENGTH)) {
    return 'password too long';
  }
  if (bookmark.extensions !== undefined && !extensionsFit(bookmark.extensions)) return 'extensions too large';
  return undefined;
}

function extensionsFit(nodes: readonly XmlNode[]): boolean {
  let count = 0;
  let text = 0;
  const walk = (list: ReadonlyArray<XmlNode | string>, depth: number): boolean => {
    if (depth > MAX_EXTENSION_DEPTH) return false;
    for (const node of list) {
      if (typeof node === 'string') {
        text += node.length;
      } else {
        count += 1;
        for (const value of Object.values(node.attrs)) text += value.length;
        if (!walk(node.children, depth + 1)) return false;
      }
      if (count > MAX_EXTENSION_NODES || text > MAX_EXTENSION_TEXT) return false;
    }
    return true;
  };
  return Array.isArray(nodes) && walk(nodes, 1);
}

/** XML Schema boolean: `true`/`1` (XEP-0402 §3.2: "set to "true" or "1""). */
const readBoolean = (value: unknown): boolean => value === 'true' || value === '1';

function childText(el: Element, name: string, ns: string): string | undefined {
  const child = el.getChild(name, ns);
  return child ? child.text() : undefined;
}

/** Reads one `<conference/>` (either namespace) for `room`; `ns` tells which. */
function readConference(room: unknown, conference: Element, ns: string): Bookmark | StanzaParseError {
  const jid = roomJidOf(room);
  if (jid === undefined) return new StanzaParseError('bookmark without a bare room JID');
  const bookmark: Bookmark = { room: jid, autojoin: readBoolean(conference.attrs.autojoin) };
  if (typeof conference.attrs.name === 'string') bookmark.name = conference.attrs.name;
  const nick = childText(conference, 'nick', ns);
  if (nick !== undefined && nick.length > 0) bookmark.nick = nick;
  const password = childText(conference, 'password', ns);
  if (password !== undefined) bookmark.password = password;
  if (ns === NS_BOOKMARKS) {
    const extensions = conference.getChild('extensions', NS_BOOKMARKS);
    if (extensions) {
      const budget = { nodes: MAX_EXTENSION_NODES, text: MAX_EXTENSION_TEXT, maxDepth: MAX_EXTENSION_DEPTH };
      const nodes: XmlNode[] = [];
      for (const child of extensions.getChildElements()) {
        const node = toXmlNode(child, budget, 2);
        if (!node) return new StanzaParseError(`extensions of ${jid} too large`);
        nodes.push(node);
      }
      bookmark.extensions = nodes;
    }
  }
  const problem = bookmarkProblem(bookmark);
  return problem === undefined ? bookmark : new StanzaParseError(problem);
}

/**
 * XEP-0402 §2: "Each item SHALL have, as item id, the Room JID of the chatroom" and "The payload of
 * the item SHALL be a conference element"; "a bookmark item MUST contain only one conference room."
 */
export function parseBookmarkItem(item: Element): Bookmark | StanzaParseError {
  const conferences = item.getChildElements().filter((c) => c.name === 'conference' && c.getNS() === NS_BOOKMARKS);
  if (conferences.length !== 1) return new StanzaParseError('a bookmark item needs exactly one conference');
  return readConference(item.attrs.id, conferences[0]!, NS_BOOKMARKS);
}

function itemsOf(stanza: Element, node: string): Element | StanzaParseError {
  const pubsub = stanza.name === 'pubsub' ? stanza : stanza.getChild('pubsub', NS_PUBSUB);
  if (!pubsub || pubsub.getNS() !== NS_PUBSUB) return new StanzaParseError('no pubsub');
  const items = pubsub.getChild('items', NS_PUBSUB);
  if (!items || items.attrs.node !== node) return new StanzaParseError(`no items of ${node}`);
  return items;
}

/** Keeps the valid bookmarks of a list (invalid ones are dropped); a list over the bound is refused. */
function collect(list: Array<Bookmark | StanzaParseError>): Bookmark[] | StanzaParseError {
  if (list.length > MAX_BOOKMARKS) return new StanzaParseError(`more than ${MAX_BOOKMARKS} bookmarks`);
  const out: Bookmark[] = [];
  for (const b of list) if (!(b instanceof StanzaParseError)) out.push(b);
  return out;
}

/** XEP-0402 §3.2: the items result (the `<iq>` or its `<pubsub>`); bookmarks that break the rules are skipped. */
export function parseBookmarkItems(stanza: Element): Bookmark[] | StanzaParseError {
  const items = itemsOf(stanza, NS_BOOKMARKS);
  if (items instanceof StanzaParseError) return items;
  const children = items.getChildren('item', NS_PUBSUB);
  if (children.length > MAX_BOOKMARKS) return new StanzaParseError(`more than ${MAX_BOOKMARKS} bookmarks`);
  return collect(children.map(parseBookmarkItem));
}

/** XEP-0048 §2: a `<storage xmlns='storage:bookmarks'>` with its conferences and URLs. */
export function parseLegacyStorage(storage: Element): { bookmarks: Bookmark[]; urls: LegacyUrlBookmark[] } | StanzaParseError {
  if (storage.name !== 'storage' || storage.getNS() !== NS_BOOKMARKS_LEGACY) return new StanzaParseError('no storage:bookmarks');
  const conferences: Array<Bookmark | StanzaParseError> = [];
  const urls: LegacyUrlBookmark[] = [];
  for (const child of storage.getChildElements()) {
    if (child.getNS() !== NS_BOOKMARKS_LEGACY) continue;
    if (child.name === 'conference') {
      if (conferences.length >= MAX_BOOKMARKS) return new StanzaParseError(`more than ${MAX_BOOKMARKS} bookmarks`);
      conferences.push(readConference(child.attrs.jid, child, NS_BOOKMARKS_LEGACY));
    } else if (child.name === 'url' && typeof child.attrs.url === 'string' && urls.length < MAX_BOOKMARKS) {
      const url: LegacyUrlBookmark = { url: child.attrs.url.slice(0, 4096) };
      if (typeof child.attrs.name === 'string') url.name = child.attrs.name.slice(0, MAX_NAME_LENGTH);
      urls.push(url);
    }
  }
  const bookmarks = collect(conferences);
  if (bookmarks instanceof StanzaParseError) return bookmarks;
  // One storage holding the same room twice: the first one counts.
  const seen = new Set<string>();
  return { bookmarks: bookmarks.filter((b) => !seen.has(b.room) && seen.add(b.room)), urls };
}

/** XEP-0048 §3.3: the items result of `storage:bookmarks`; no item is an empty storage. */
export function parseLegacyItems(stanza: Element): { bookmarks: Bookmark[]; urls: LegacyUrlBookmark[] } | StanzaParseError {
  const items = itemsOf(stanza, NS_BOOKMARKS_LEGACY);
  if (items instanceof StanzaParseError) return items;
  const item = items.getChildren('item', NS_PUBSUB).find((i) => i.attrs.id === LEGACY_ITEM_ID) ?? items.getChild('item', NS_PUBSUB);
  const storage = item?.getChild('storage', NS_BOOKMARKS_LEGACY);
  if (!storage) return { bookmarks: [], urls: [] };
  return parseLegacyStorage(storage);
}

/**
 * Routes a PEP notification of either bookmark node, or declines it. Only the own account may
 * tell us about our bookmarks: a notification whose `from` is not the own bare JID (or absent)
 * is ignored, since anybody can send a `<message>` shaped like one.
 */
export function parseBookmarksNotification(stanza: Element, context: RouteContext): BookmarksNotificationEvent | undefined {
  if (stanza.name !== 'message' || stanza.attrs.type === 'error') return undefined;
  const from = stanza.attrs.from;
  if (from !== undefined && normalizeJid(from) !== normalizeJid(context.ownBare)) return undefined;
  const event = stanza.getChild('event', NS_PUBSUB_EVENT);
  if (!event) return undefined;
  const changes: BookmarkChange[] = [];
  let mode: BookmarksMode | undefined;
  for (const child of event.getChildElements()) {
    const childMode = modeOfNode(child.attrs.node);
    if (childMode === undefined || child.getNS() !== NS_PUBSUB_EVENT) continue;
    if (mode !== undefined && childMode !== mode) continue;
    mode = childMode;
    if (child.name === 'purge') {
      changes.push({ kind: 'replace', bookmarks: [], urls: [] });
    } else if (child.name === 'items') {
      const entries = child.getChildElements();
      if (entries.length > MAX_BOOKMARKS) return undefined;
      for (const entry of entries) {
        if (entry.getNS() !== NS_PUBSUB_EVENT) continue;
        const change = childMode === 'native' ? nativeChange(entry) : legacyChange(entry);
        if (change) changes.push(change);
      }
    }
  }
  if (mode === undefined || changes.length === 0) return undefined;
  return { type: 'bookmarks.notification', mode, changes };
}

function nativeChange(entry: Element): BookmarkChange | undefined {
  if (entry.name === 'retract') {
    const room = roomJidOf(entry.attrs.id);
    return room === undefined ? undefined : { kind: 'retract', room };
  }
  // An item without a payload (a node that does not deliver payloads) tells nothing we can keep.
  if (entry.name !== 'item') return undefined;
  const bookmark = parseBookmarkItem(entry);
  return bookmark instanceof StanzaParseError ? undefined : { kind: 'set', bookmark };
}

function legacyChange(entry: Element): BookmarkChange | undefined {
  if (entry.attrs.id !== LEGACY_ITEM_ID) return undefined;
  if (entry.name === 'retract') return { kind: 'replace', bookmarks: [], urls: [] };
  if (entry.name !== 'item') return undefined;
  const storage = entry.getChild('storage', NS_BOOKMARKS_LEGACY);
  if (!storage) return undefined;
  const parsed = parseLegacyStorage(storage);
  return parsed instanceof StanzaParseError ? undefined : { kind: 'replace', bookmarks: parsed.bookmarks, urls: parsed.urls };
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/** XEP-0060 §6.5: all items of `node` at the own PEP service (no `to`: the own account). */
export function buildItemsRequest(node: string): Element {
  return xml('iq', { type: 'get' }, xml('pubsub', { xmlns: NS_PUBSUB }, xml('items', { node })));
}

/** The `<conference xmlns='urn:xmpp:bookmarks:1'>` payload of a bookmark (no `jid`: it is the item id). */
export function buildConference(bookmark: Bookmark): Element {
  const attrs: Record<string, string> = { xmlns: NS_BOOKMARKS };
  if (bookmark.name !== undefined) attrs.name = bookmark.name;
  if (bookmark.autojoin) attrs.autojoin = 'true';
  const conference = xml('conference', attrs);
  if (bookmark.nick !== undefined) conference.c('nick').t(bookmark.nick);
  if (bookmark.password !== undefined) conference.c('password').t(bookmark.password);
  if (bookmark.extensions !== undefined && bookmark.extensions.length > 0) {
    conference.append(xml('extensions', {}, ...bookmark.extensions.map(fromXmlNode)));
  }
  return conference;
}

/**
 * XEP-0402 §3.3: "Adding a bookmark means publishing a new item, with the bookmark JID as id";
 * the node is private (XEP-0223 §2: "Set pubsub#access_model to "whitelist"", "Set
 * pubsub#persist_items to true"), keeps every item and does not replay the last one.
 */
export function buildPublishBookmark(bookmark: Bookmark): Element {
  return xml(
    'iq',
    { type: 'set' },
    xml(
      'pubsub',
      { xmlns: NS_PUBSUB },
      xml('publish', { node: NS_BOOKMARKS }, xml('item', { id: bookmark.room }, buildConference(bookmark))),
      buildPublishOptions({
        'pubsub#persist_items': 'true',
        'pubsub#max_items': 'max',
        'pubsub#send_last_published_item': 'never',
        'pubsub#access_model': 'whitelist',
      }),
    ),
  );
}

/**
 * XEP-0402 §3.4: removing retracts the room's item; "A 'notify' attribute SHOULD be included on
 * the <retract/> element in order to inform other online clients of the deletion."
 */
export function buildRetractBookmark(room: string): Element {
  return xml(
    'iq',
    { type: 'set' },
    xml('pubsub', { xmlns: NS_PUBSUB }, xml('retract', { node: NS_BOOKMARKS, notify: 'true' }, xml('item', { id: room }))),
  );
}

/** XEP-0048 §2: the whole `<storage xmlns='storage:bookmarks'>`. */
export function buildLegacyStorage(bookmarks: readonly Bookmark[], urls: readonly LegacyUrlBookmark[] = []): Element {
  const storage = xml('storage', { xmlns: NS_BOOKMARKS_LEGACY });
  for (const b of bookmarks) {
    const attrs: Record<string, string> = { jid: b.room };
    // XEP-0048 §2: "If an element lacks a 'name' attribute, the client SHOULD generate an appropriate substitution".
    attrs.name = b.name ?? b.room;
    if (b.autojoin) attrs.autojoin = 'true';
    const conference = storage.c('conference', attrs);
    if (b.nick !== undefined) conference.c('nick').t(b.nick);
    if (b.password !== undefined) conference.c('password').t(b.password);
  }
  for (const u of urls) storage.c('url', u.name === undefined ? { url: u.url } : { url: u.url, name: u.name });
  return storage;
}

/**
 * XEP-0048 §3.1 / XEP-0223 §3: replaces the one legacy item `current` on the private PEP node
 * `storage:bookmarks` (persisted, whitelist access).
 */
export function buildPublishLegacy(bookmarks: readonly Bookmark[], urls: readonly LegacyUrlBookmark[] = []): Element {
  return xml(
    'iq',
    { type: 'set' },
    xml(
      'pubsub',
      { xmlns: NS_PUBSUB },
      xml('publish', { node: NS_BOOKMARKS_LEGACY }, xml('item', { id: LEGACY_ITEM_ID }, buildLegacyStorage(bookmarks, urls))),
      buildPublishOptions({ 'pubsub#persist_items': 'true', 'pubsub#access_model': 'whitelist' }),
    ),
  );
}
