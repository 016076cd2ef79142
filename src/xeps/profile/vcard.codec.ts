/**
 * XEP-0054 vcard-temp (get and set) and the XEP-0153 avatar hash in presence. Pure and
 * synchronous; readers return `undefined` or a `StanzaParseError`, never throw.
 */
import { xml, type Element } from '@xmpp/xml';
import { bareJid, normalizeJid, parseJid } from '../../jid.js';
import type { RouteContext } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import { fromXmlNode, toXmlNode, type XmlNode } from '../pubsub/xml-node.js';
import { isSha1Hex } from './profile.codec.js';
import type { OwnResourceUpdateEvent, VCard, VCardAvatarEvent } from './profile.types.js';
import { NS_VCARD_UPDATE } from './vcard-update.js';

export { NS_VCARD_UPDATE };

export const NS_VCARD = 'vcard-temp';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';

/** A vCard copied into plain data: at most this much (a vCard with a photo is mostly its base64). */
const VCARD_BUDGET = { nodes: 1024, text: 1024 * 1024, maxDepth: 8 };
/** The simple top-level text fields read into `VCard.fields` (XEP-0054 §3 DTD names). */
export const VCARD_TEXT_FIELDS = ['FN', 'NICKNAME', 'BDAY', 'URL', 'TITLE', 'ROLE', 'NOTE', 'DESC', 'JABBERID'] as const;
export type VCardTextField = (typeof VCARD_TEXT_FIELDS)[number];

const textOf = (node: XmlNode): string => node.children.filter((c): c is string => typeof c === 'string').join('');
const childNamed = (node: XmlNode, name: string): XmlNode | undefined =>
  node.children.find((c): c is XmlNode => typeof c !== 'string' && c.name === name);

/** XEP-0054 (one's own vCard without `to`, a contact's at its bare JID): XEP-0153 §3.2 "this request is sent to the user's bare JID, not full JID". */
export function buildVCardGet(jid?: string): Element {
  return xml('iq', jid === undefined ? { type: 'get' } : { type: 'get', to: jid }, xml('vCard', { xmlns: NS_VCARD }));
}

/** XEP-0054 "Updating One's vCard": the set replaces the whole vCard with `node`. */
export function buildVCardSet(node: XmlNode): Element {
  return xml('iq', { type: 'set' }, fromXmlNode({ ...node, name: 'vCard', attrs: { ...node.attrs, xmlns: NS_VCARD } }));
}

/**
 * A vCard result. XEP-0054: a server whose user has no vCard answers with an empty `<vCard/>` or
 * an error (`item-not-found`, handled by the request); both read as a vCard with no fields.
 */
export function parseVCard(stanza: Element): VCard | StanzaParseError {
  const el = stanza.name === 'vCard' ? stanza : stanza.getChild('vCard', NS_VCARD);
  if (!el || el.getNS() !== NS_VCARD) return new StanzaParseError('no vCard');
  const node = toXmlNode(el, { ...VCARD_BUDGET });
  if (!node) return new StanzaParseError('vCard too large');
  return readVCard(node);
}

export function readVCard(node: XmlNode): VCard {
  const vcard: VCard = { fields: {}, node };
  for (const name of VCARD_TEXT_FIELDS) {
    const child = childNamed(node, name);
    if (child) vcard.fields[name] = textOf(child).trim();
  }
  const photo = childNamed(node, 'PHOTO');
  if (photo) {
    const binval = childNamed(photo, 'BINVAL');
    const type = childNamed(photo, 'TYPE');
    // XEP-0153 §4 (image restrictions): "any whitespace characters (e.g., '\r' and '\n') MUST be ignored".
    const base64 = binval ? textOf(binval).replace(/\s+/g, '') : '';
    if (base64.length > 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(base64)) {
      vcard.photo = { base64 };
      const hint = type ? textOf(type).trim() : '';
      if (hint.length > 0 && hint.length <= 256) vcard.photo.type = hint;
    }
  }
  return vcard;
}

/**
 * `base` (a fetched vCard's node, or an empty one) with the given text fields and photo replaced
 * and everything else kept: a vCard set replaces the whole vCard, so unknown fields go back as they came.
 * A field set to `''` or a photo set to `null` removes it.
 */
export function mergeVCard(
  base: XmlNode | undefined,
  changes: { fields?: Partial<Record<VCardTextField, string>>; photo?: { type: string; base64: string } | null },
): XmlNode {
  const node: XmlNode = base ? { ...base, children: [...base.children] } : { name: 'vCard', attrs: { xmlns: NS_VCARD }, children: [] };
  const replace = (name: string, child: XmlNode | undefined) => {
    const at = node.children.findIndex((c) => typeof c !== 'string' && c.name === name);
    if (at === -1) {
      if (child) node.children.push(child);
    } else if (child) {
      node.children[at] = child;
    } else {
      node.children.splice(at, 1);
    }
  };
  for (const [name, value] of Object.entries(changes.fields ?? {})) {
    if (value === undefined) continue;
    replace(name, value === '' ? undefined : { name, attrs: {}, children: [value] });
  }
  if (changes.photo !== undefined) {
    // XEP-0153 §4 (XML syntax): "The <PHOTO/> element SHOULD contain a <BINVAL/> child" and "SHOULD contain a <TYPE/> child".
    const photo: XmlNode | undefined =
      changes.photo === null
        ? undefined
        : {
            name: 'PHOTO',
            attrs: {},
            children: [
              { name: 'TYPE', attrs: {}, children: [changes.photo.type] },
              { name: 'BINVAL', attrs: {}, children: [changes.photo.base64] },
            ],
          };
    replace('PHOTO', photo);
  }
  return node;
}

/**
 * Routes a presence's XEP-0153 update element as the contact's vCard avatar hash. XEP-0153 §4.1:
 * an empty update child means "not yet ready to advertise an image" (nothing to route); "If there
 * is no avatar image to be advertised, the photo element MUST be empty" (`hash: null`). Presences
 * of room occupants (with a `muc#user` child) speak for an occupant, not for the room's bare JID,
 * and are declined, as are unavailable and error presences and hashes that are not SHA-1.
 */
export function parseVCardUpdate(stanza: Element, context: RouteContext): VCardAvatarEvent | undefined {
  if (stanza.name !== 'presence' || (stanza.attrs.type !== undefined && stanza.attrs.type !== 'available')) return undefined;
  const x = stanza.getChild('x', NS_VCARD_UPDATE);
  if (!x || stanza.getChild('x', NS_MUC_USER)) return undefined;
  const parts = parseJid(stanza.attrs.from ?? context.me);
  if (!parts || parts.local === undefined) return undefined;
  const update = readUpdate(x);
  if (update === undefined || update === 'empty') return undefined;
  return { type: 'profile.vcardAvatar', jid: bareJid(stanza.attrs.from ?? context.me)!, hash: update.hash };
}

/** What an update child says: `empty` without a photo, the photo's hash (`null` when empty), undefined for a photo that is no SHA-1. */
function readUpdate(x: Element): 'empty' | { hash: string | null } | undefined {
  const photo = x.getChild('photo', NS_VCARD_UPDATE);
  if (!photo) return 'empty';
  const text = photo.text().trim().toLowerCase();
  if (text === '') return { hash: null };
  return isSha1Hex(text) ? { hash: text } : undefined;
}

/**
 * What a presence from another resource of the own account says about the vCard avatar (XEP-0153
 * §4.3), for the rules on multiple resources. Only presences whose `from` is another full JID of
 * the own account count: the own reflected presence, other accounts' presences and error presences
 * are declined, as is a photo that is not a SHA-1.
 */
export function parseOwnResourceUpdate(stanza: Element, context: RouteContext): OwnResourceUpdateEvent | undefined {
  const raw = stanza.attrs.from;
  // Every presence passes here: a cheap look at the prefix before parsing the JID.
  if (stanza.name !== 'presence' || typeof raw !== 'string' || raw.charAt(context.ownBare.length) !== '/') return undefined;
  const from = normalizeJid(raw);
  if (from === undefined || from === context.me || bareJid(from) !== context.ownBare) return undefined;
  const type = stanza.attrs.type;
  if (type === 'unavailable') return { type: 'profile.ownResource', jid: from, update: 'gone' };
  if (type !== undefined && type !== 'available') return undefined;
  const x = stanza.getChild('x', NS_VCARD_UPDATE);
  const update = x ? readUpdate(x) : 'none';
  return update === undefined ? undefined : { type: 'profile.ownResource', jid: from, update };
}
