/**
 * XEP-0084 User Avatar and XEP-0172 User Nickname payloads over PEP: built as `Element`s for
 * publishing, read from the plain-data payloads (`XmlNode`) the pubsub codec hands out. Pure and
 * synchronous; readers return `undefined` or a `StanzaParseError`, never throw.
 */
import { xml, type Element } from '@xmpp/xml';
import { normalizeJid, parseJid } from '../../jid.js';
import type { RouteContext } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import { parsePubsubNotification } from '../pubsub/pubsub.codec.js';
import type { PubsubItem, XmlNode } from '../pubsub/pubsub.types.js';
import { xmlNodeText } from '../pubsub/xml-node.js';
import type { AvatarInfo, ProfileChange, ProfileNotificationEvent } from './profile.types.js';

/** XEP-0084 §2.1 / §2.2: the data and metadata nodes (one node per namespace, XEP-0163). */
export const NS_AVATAR_DATA = 'urn:xmpp:avatar:data';
export const NS_AVATAR_METADATA = 'urn:xmpp:avatar:metadata';
/** XEP-0172: the nickname node and namespace. */
export const NS_NICK = 'http://jabber.org/protocol/nick';

/** Longest nickname kept, in characters. */
export const MAX_NICK_LENGTH = 1024;
/** Most `<info/>` alternatives read from one metadata item. */
export const MAX_AVATAR_INFOS = 16;
const SHA1_HEX = /^[0-9a-f]{40}$/;
const MAX_ATTR = 2048;

/** Whether `value` is a SHA-1 hash as XEP-0084 writes it (40 lowercase hex digits). */
export const isSha1Hex = (value: unknown): value is string => typeof value === 'string' && SHA1_HEX.test(value);

/**
 * XEP-0084 §2.1: "The XML character data MUST represent the image data for the avatar with a
 * content-type of "image/png", Base64-encoded in accordance with Section 4 of RFC 4648. (Note:
 * Line feeds SHOULD NOT be added but MUST be accepted.)"
 */
export function buildAvatarData(base64: string): Element {
  return xml('data', { xmlns: NS_AVATAR_DATA }, base64);
}

/** The base64 text of a `<data/>` payload, line feeds removed, or `undefined`. */
export function readAvatarData(payload: XmlNode | undefined): string | undefined {
  if (!payload || payload.name !== 'data' || payload.attrs.xmlns !== NS_AVATAR_DATA) return undefined;
  const text = xmlNodeText(payload).replace(/\s+/g, '');
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length > 0 ? text : undefined;
}

/** XEP-0084 §2.2: `<metadata>` with one `<info/>` per available format; none disables the avatar (§3.5). */
export function buildAvatarMetadata(infos: readonly AvatarInfo[]): Element {
  return xml(
    'metadata',
    { xmlns: NS_AVATAR_METADATA },
    ...infos.map((info) => {
      const attrs: Record<string, string> = { bytes: String(info.bytes), id: info.id, type: info.type };
      if (info.width !== undefined) attrs.width = String(info.width);
      if (info.height !== undefined) attrs.height = String(info.height);
      if (info.url !== undefined) attrs.url = info.url;
      return xml('info', attrs);
    }),
  );
}

const whole = (value: unknown, max: number): number | undefined => {
  if (typeof value !== 'string' || !/^\d{1,10}$/.test(value)) return undefined;
  const n = Number(value);
  return n <= max ? n : undefined;
};

function readInfo(node: XmlNode): AvatarInfo | undefined {
  const { id, type, bytes, width, height, url } = node.attrs;
  // XEP-0084 §2.2.1: bytes, id and type are required; id is the SHA-1 of the image data.
  const size = whole(bytes, 2 ** 31 - 1);
  if (!isSha1Hex(id) || typeof type !== 'string' || type.length === 0 || type.length > 256 || size === undefined) return undefined;
  const info: AvatarInfo = { id, type, bytes: size };
  const w = whole(width, 65_535);
  const h = whole(height, 65_535);
  if (w !== undefined) info.width = w;
  if (h !== undefined) info.height = h;
  if (typeof url === 'string' && url.length <= MAX_ATTR && /^https?:\/\//i.test(url)) info.url = url;
  return info;
}

/**
 * A metadata payload: the formats offered (the one whose `id` equals the item id first), `[]` when
 * the publisher disabled the avatar (XEP-0084 §3.5: an empty `<metadata/>`), or a parse error.
 */
export function readAvatarMetadata(payload: XmlNode | undefined): AvatarInfo[] | StanzaParseError {
  if (!payload || payload.name !== 'metadata' || payload.attrs.xmlns !== NS_AVATAR_METADATA)
    return new StanzaParseError('no avatar metadata');
  const infos: AvatarInfo[] = [];
  for (const child of payload.children) {
    if (typeof child === 'string' || child.name !== 'info' || (child.attrs.xmlns ?? NS_AVATAR_METADATA) !== NS_AVATAR_METADATA) continue;
    const info = readInfo(child);
    if (info) infos.push(info);
    if (infos.length >= MAX_AVATAR_INFOS) break;
  }
  return infos;
}

/** The avatar a metadata item announces: the `image/png` info (the one every client must support), else the first. */
export function preferredAvatar(infos: readonly AvatarInfo[]): AvatarInfo | undefined {
  return infos.find((i) => i.type === 'image/png' && i.url === undefined) ?? infos[0];
}

/**
 * XEP-0172 §3: "A nickname MUST be encapsulated as the XML character data of a <nick/> element
 * qualified by the 'http://jabber.org/protocol/nick' namespace."
 */
export function buildNick(nick: string): Element {
  return xml('nick', { xmlns: NS_NICK }, nick);
}

/** The nickname of a `<nick/>` payload; `''` for an empty one (the user cleared it), `undefined` when it is none. */
export function readNick(payload: XmlNode | undefined): string | undefined {
  if (!payload || payload.name !== 'nick' || payload.attrs.xmlns !== NS_NICK) return undefined;
  const text = xmlNodeText(payload).trim();
  return text.length <= MAX_NICK_LENGTH ? text : undefined;
}

/** What the newest item of a node says; `undefined` when it says nothing usable. */
function changeOf(node: string, item: PubsubItem | undefined, retracted: boolean): ProfileChange | undefined {
  if (node === NS_NICK) {
    if (retracted || !item) return { nick: null };
    const nick = readNick(item.payload);
    return nick === undefined ? undefined : { nick: nick === '' ? null : nick };
  }
  if (retracted || !item) return { avatar: null };
  const infos = readAvatarMetadata(item.payload);
  if (infos instanceof StanzaParseError) return undefined;
  return { avatar: preferredAvatar(infos) ?? null };
}

/**
 * Routes nickname and avatar-metadata notifications of accounts' PEP services. The sender checks
 * are the pubsub codec's (bare JID only, the own account when `from` is absent); here, in addition,
 * only an account (`local@domain`) has a PEP profile: a server or component JID is declined.
 */
export function parseProfileNotification(stanza: Element, context: RouteContext): ProfileNotificationEvent[] {
  const out: ProfileNotificationEvent[] = [];
  for (const event of parsePubsubNotification(stanza, context)) {
    if (event.node !== NS_NICK && event.node !== NS_AVATAR_METADATA) continue;
    const parts = parseJid(event.service);
    if (!parts || parts.local === undefined) continue;
    const newest = event.items.at(-1);
    const change = changeOf(event.node, newest, newest === undefined && (event.retracted.length > 0 || event.cleared !== undefined));
    if (change) out.push({ type: 'profile.notification', jid: normalizeJid(event.service)!, ...change });
  }
  return out;
}
