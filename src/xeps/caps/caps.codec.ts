/**
 * XEP-0115 Entity Capabilities codec: the `<c/>` element and the verification string (§5.1).
 * Everything here is pure and synchronous except `capsHash`, which needs WebCrypto's async digest.
 */
import { xml, type Element } from '@xmpp/xml';
import { bytesToBase64 } from '../../sasl/base64.js';
import { normalizeJid } from '../../jid.js';
import type { RouteContext } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import type { DataForm, DiscoIdentity, DiscoInfo } from '../disco/disco.types.js';
import type { CapsAnnouncement, CapsHashName, CapsRoutedEvent } from './caps.types.js';

export const NS_CAPS = 'http://jabber.org/protocol/caps';
/** Our caps `node`: a URI naming this software (§4). */
export const CAPS_NODE = 'https://xmpp-adapter.dev';

const DIGESTS: Record<CapsHashName, string> = {
  'sha-1': 'SHA-1',
  'sha-256': 'SHA-256',
  'sha-384': 'SHA-384',
  'sha-512': 'SHA-512',
};

export function isSupportedHash(name: string | undefined): name is CapsHashName {
  return name !== undefined && Object.hasOwn(DIGESTS, name);
}

// Generous bounds: a SHA-512 verification string is 88 characters, a node is a URI.
const MAX_VER_LENGTH = 256;
const MAX_NODE_LENGTH = 1024;

/** Reads a `<c/>` (or the `<c/>` child of a presence). */
export function parseCaps(el: Element): CapsAnnouncement | StanzaParseError {
  const c = el.name === 'c' && el.getNS() === NS_CAPS ? el : el.getChild('c', NS_CAPS);
  if (!c) return new StanzaParseError('no caps element');
  const { hash, node, ver, ext } = c.attrs;
  // §4: node and ver are REQUIRED.
  if (!node || !ver) return new StanzaParseError('caps without node or ver');
  if (node.length > MAX_NODE_LENGTH || ver.length > MAX_VER_LENGTH) return new StanzaParseError('caps attribute too long');
  const caps: CapsAnnouncement = { node, ver };
  if (hash !== undefined) caps.hash = hash;
  if (ext !== undefined) caps.ext = ext;
  return caps;
}

export function buildCaps(caps: { hash: string; node: string; ver: string }): Element {
  return xml('c', { xmlns: NS_CAPS, hash: caps.hash, node: caps.node, ver: caps.ver });
}

/** The disco node to ask for the features behind a `ver` (§6.2): `node#ver`. */
export function capsDiscoNode(node: string, ver: string): string {
  return `${node}#${ver}`;
}

/**
 * Routes an available presence carrying caps from anyone but ourselves. Unavailable and other
 * typed presences are not about capabilities; a `<c/>` without node or ver is dropped.
 */
export function parseCapsPresence(stanza: Element, context: RouteContext): CapsRoutedEvent | undefined {
  if (stanza.name !== 'presence') return undefined;
  const from = normalizeJid(stanza.attrs.from);
  if (from === undefined || from === normalizeJid(context.me)) return undefined;
  // An unavailable presence ends whatever caps that resource announced.
  if (stanza.attrs.type === 'unavailable') return { type: 'caps.gone', from };
  if (stanza.attrs.type !== undefined) return undefined;
  const caps = parseCaps(stanza);
  if (caps instanceof StanzaParseError) return undefined;
  // §5.4 step 1: without a 'hash' attribute the ver is legacy; it is ignored here.
  if (caps.hash === undefined) return undefined;
  return { type: 'caps.announced', from, hash: caps.hash, node: caps.node, ver: caps.ver };
}

// ---------------------------------------------------------------------------------------------
// Verification string (§5.1)
// ---------------------------------------------------------------------------------------------

/**
 * §5.1: "All sorting operations MUST be performed using "i;octet" collation". UTF-8 byte order
 * is code point order; JavaScript's `<` compares UTF-16 units, which differs above U+FFFF.
 */
export function compareOctets(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    // A surrogate starts a code point above U+FFFF, which sorts after every BMP character.
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function compareIdentities(a: DiscoIdentity, b: DiscoIdentity): number {
  return (
    compareOctets(a.category, b.category) ||
    compareOctets(a.type, b.type) ||
    compareOctets(a.lang ?? '', b.lang ?? '') ||
    compareOctets(a.name ?? '', b.name ?? '')
  );
}

const identityKey = (i: DiscoIdentity) => `${i.category}/${i.type}/${i.lang ?? ''}/${i.name ?? ''}`;

/** The FORM_TYPE of a form usable in the hash; undefined when §5.4 says to ignore the form. */
function formTypeOf(form: DataForm): { value: string } | StanzaParseError | undefined {
  const formTypes = form.fields.filter((f) => f.var === 'FORM_TYPE');
  // §5.4 3.6: a form without FORM_TYPE, or whose FORM_TYPE is not hidden, is ignored.
  if (formTypes.length === 0 || formTypes.some((f) => f.type !== 'hidden')) return undefined;
  const values = new Set(formTypes.flatMap((f) => f.values));
  // §5.4 3.5: a FORM_TYPE "with more than one <value/> element with different XML character data" is ill-formed.
  if (formTypes.length > 1 || values.size !== 1) return new StanzaParseError('a FORM_TYPE has several values');
  return { value: [...values][0]! };
}

/**
 * §5.1 steps 1–8: the string S whose hash is the `ver`. Returns a parse error when §5.4 says
 * the answer is ill-formed (duplicate identities, features or FORM_TYPEs).
 */
export function verificationString(info: Pick<DiscoInfo, 'identities' | 'features' | 'forms'>): string | StanzaParseError {
  // §5.4 3.3: "If the response includes more than one service discovery identity with the same
  // category/type/lang/name, consider the entire response to be ill-formed."
  if (new Set(info.identities.map(identityKey)).size !== info.identities.length) {
    return new StanzaParseError('duplicate identity');
  }
  // §5.4 3.4: "If the response includes more than one service discovery feature with the same XML character data, consider the entire response to be ill-formed."
  if (new Set(info.features).size !== info.features.length) return new StanzaParseError('duplicate feature');

  let s = '';
  for (const identity of [...info.identities].sort(compareIdentities)) s += `${identityKey(identity)}<`;
  for (const feature of [...info.features].sort(compareOctets)) s += `${feature}<`;

  const forms: Array<{ formType: string; form: DataForm }> = [];
  for (const form of info.forms) {
    const formType = formTypeOf(form);
    if (formType instanceof StanzaParseError) return formType;
    if (formType) forms.push({ formType: formType.value, form });
  }
  // §5.4 3.5: two forms with the same FORM_TYPE make the response ill-formed.
  if (new Set(forms.map((f) => f.formType)).size !== forms.length) return new StanzaParseError('duplicate FORM_TYPE');

  for (const { formType, form } of forms.sort((a, b) => compareOctets(a.formType, b.formType))) {
    s += `${formType}<`;
    const fields = form.fields.filter((f) => f.var !== 'FORM_TYPE').sort((a, b) => compareOctets(a.var, b.var));
    for (const field of fields) {
      s += `${field.var}<`;
      for (const value of [...field.values].sort(compareOctets)) s += `${value}<`;
    }
  }
  return s;
}

/**
 * Hashes S (UTF-8) and encodes the digest in base64. Async because WebCrypto is; available in
 * browsers and Node ≥ 20 as `crypto.subtle`.
 */
// §5.1 step 9: "the Base64 output MUST NOT include whitespace and MUST set padding bits to zero" (btoa does both).
export async function capsHash(s: string, hash: CapsHashName = 'sha-1'): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest(DIGESTS[hash], new TextEncoder().encode(s));
  return bytesToBase64(new Uint8Array(digest));
}

/** The `ver` of a disco#info answer, or the reason it cannot have one. */
export async function verOf(
  info: Pick<DiscoInfo, 'identities' | 'features' | 'forms'>,
  hash: CapsHashName = 'sha-1',
): Promise<string | StanzaParseError> {
  const s = verificationString(info);
  return s instanceof StanzaParseError ? s : capsHash(s, hash);
}
