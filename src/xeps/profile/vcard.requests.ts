/**
 * XEP-0054 vCards and XEP-0153 vCard avatars as promise functions over the IQ tracker. Arguments
 * are checked before anything is sent (`invalid-argument`); photo bytes are used only when their
 * SHA-1 is the hash asked for (`bad-reply` otherwise).
 */
import { StanzaError, XmppAdapterError } from '../../errors.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import { bareJid } from '../../jid.js';
import { base64ToBytes, bytesToBase64 } from '../../sasl/base64.js';
import type { FeatureServices } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import { isSha1Hex } from './profile.codec.js';
import { MAX_AVATAR_BYTES, sha1Hex, type AvatarCache } from './profile.requests.js';
import type { VCard } from './profile.types.js';
import { VCARD_TEXT_FIELDS, buildVCardGet, buildVCardSet, mergeVCard, parseVCard, readVCard, type VCardTextField } from './vcard.codec.js';

type Iq = Pick<FeatureServices, 'iq'>;

const invalid = (message: string) => new XmppAdapterError('invalid-argument', `vCard: ${message}`);
const MAX_FIELD_LENGTH = 4096;

function checkBare(jid: string | undefined): string | undefined {
  if (jid === undefined) return undefined;
  const bare = bareJid(jid);
  if (bare === undefined) throw invalid(`not a JID: ${String(jid).slice(0, 64)}`);
  return bare;
}

/** XEP-0054: the vCard of `jid` (a contact's at its bare JID, the own one when absent); an empty one when it has none. */
export async function getVCard(services: Iq, jid?: string, options: IqRequestOptions = {}): Promise<VCard> {
  const to = checkBare(jid);
  let reply;
  try {
    reply = await services.iq.request(buildVCardGet(to), options);
  } catch (error) {
    if (error instanceof StanzaError && error.condition === 'item-not-found')
      return { fields: {}, node: { name: 'vCard', attrs: { xmlns: 'vcard-temp' }, children: [] } };
    throw error;
  }
  const vcard = parseVCard(reply);
  if (vcard instanceof StanzaParseError) throw new XmppAdapterError('bad-reply', `vCard: ${vcard.reason}`);
  return vcard;
}

export interface VCardChanges {
  /** Text fields to set; `''` removes one. */
  fields?: Partial<Record<VCardTextField, string>>;
  /** The photo (bytes and content type) to set, or `null` to remove it. */
  photo?: { type: string; bytes: Uint8Array } | null;
}

/**
 * XEP-0054 "Updating One's vCard": the set replaces the whole vCard, so this reads the current one,
 * changes the given fields and photo, keeps every other element, and writes it back. Resolves with
 * the vCard stored.
 */
export async function updateVCard(services: Iq, changes: VCardChanges, options: IqRequestOptions = {}): Promise<VCard> {
  const fields = changes.fields ?? {};
  for (const [name, value] of Object.entries(fields)) {
    if (!(VCARD_TEXT_FIELDS as readonly string[]).includes(name)) throw invalid(`unknown field ${name.slice(0, 32)}`);
    if (value !== undefined && (typeof value !== 'string' || value.length > MAX_FIELD_LENGTH))
      throw invalid(`${name} must be a string of at most ${MAX_FIELD_LENGTH} characters`);
  }
  let photo: { type: string; base64: string } | null | undefined;
  if (changes.photo === null) photo = null;
  else if (changes.photo !== undefined) {
    const { type, bytes } = changes.photo;
    if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > MAX_AVATAR_BYTES)
      throw invalid(`the photo must be 1..${MAX_AVATAR_BYTES} bytes`);
    if (typeof type !== 'string' || !/^image\/[\w.+-]{1,64}$/.test(type)) throw invalid('the photo type must be an image/* content type');
    photo = { type, base64: bytesToBase64(bytes) };
  }
  const current = await getVCard(services, undefined, options);
  const node = mergeVCard(current.node, { fields, ...(photo === undefined ? {} : { photo }) });
  await services.iq.request(buildVCardSet(node), options);
  return readVCard(node);
}

/**
 * XEP-0153 §3.2: "When the recipient's client receives the hash of the avatar image, it SHOULD
 * check the hash to determine if it already has a cached copy of that avatar image. If not, it
 * retrieves the sender's full vCard". The photo is returned only when its SHA-1 is `hash`.
 */
export async function fetchVCardAvatar(
  services: Iq,
  jid: string | undefined,
  hash: string,
  options: IqRequestOptions & { cache?: AvatarCache } = {},
): Promise<Uint8Array> {
  const { cache, ...request } = options;
  const to = checkBare(jid);
  if (!isSha1Hex(hash)) throw invalid('the hash must be a SHA-1 (40 lowercase hex digits)');
  const cached = await cache?.get(hash);
  if (cached !== undefined && (await sha1Hex(cached)) === hash) return cached;
  const vcard = await getVCard(services, to, request);
  const bytes = vcard.photo ? base64ToBytes(vcard.photo.base64) : undefined;
  if (!bytes || bytes.length > MAX_AVATAR_BYTES)
    throw new XmppAdapterError('bad-reply', `vCard of ${to ?? 'the own account'}: no usable photo`);
  if ((await sha1Hex(bytes)) !== hash)
    throw new XmppAdapterError('bad-reply', `vCard photo of ${to ?? 'the own account'} does not match ${hash}`);
  await cache?.set(hash, bytes);
  return bytes;
}

/** XEP-0153: the SHA-1 of a vCard's photo; `null` when it has none, undefined when its BINVAL is not base64. */
export async function vcardPhotoHash(vcard: VCard): Promise<string | null | undefined> {
  if (!vcard.photo) return null;
  const bytes = base64ToBytes(vcard.photo.base64);
  return bytes === undefined ? undefined : sha1Hex(bytes);
}

/**
 * XEP-0153 §4.4 "Resetting the Image Hash": "Download the vCard from the server", then advertise
 * an empty photo when "the BINVAL is empty or missing", else "calculate the hash of image".
 */
export async function readOwnVCardHash(services: Iq, options: IqRequestOptions = {}): Promise<string | null | undefined> {
  return vcardPhotoHash(await getVCard(services, undefined, options));
}
