/**
 * XEP-0084 avatars and XEP-0172 nicknames as promise functions over the pubsub requests. Arguments
 * are checked before anything is sent (`invalid-argument`); avatar bytes are checked against their
 * SHA-1 id before they are cached or returned (`bad-reply` otherwise).
 */
import { StanzaError, XmppAdapterError } from '../../errors.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import { normalizeJid } from '../../jid.js';
import { base64ToBytes, bytesToBase64 } from '../../sasl/base64.js';
import type { FeatureServices } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import { items, publish } from '../pubsub/pubsub.requests.js';
import {
  MAX_NICK_LENGTH,
  NS_AVATAR_DATA,
  NS_AVATAR_METADATA,
  NS_NICK,
  buildAvatarData,
  buildAvatarMetadata,
  buildNick,
  isSha1Hex,
  preferredAvatar,
  readAvatarData,
  readAvatarMetadata,
  readNick,
} from './profile.codec.js';
import type { AvatarInfo } from './profile.types.js';

type Iq = Pick<FeatureServices, 'iq'>;

/** Largest avatar published or accepted, in bytes (its base64 must fit a 1 MiB stanza). */
export const MAX_AVATAR_BYTES = 512 * 1024;

/** Where fetched avatar bytes are kept, by SHA-1 id: memory by default, IndexedDB or files in apps. */
export interface AvatarCache {
  get(id: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  set(id: string, bytes: Uint8Array): void | Promise<void>;
}

/** An in-memory cache of the `maxEntries` avatars used last. */
export function createMemoryAvatarCache(maxEntries = 256): AvatarCache {
  const entries = new Map<string, Uint8Array>();
  return {
    get(id) {
      const bytes = entries.get(id);
      if (bytes !== undefined) {
        entries.delete(id);
        entries.set(id, bytes);
      }
      return bytes;
    },
    set(id, bytes) {
      entries.delete(id);
      entries.set(id, bytes);
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
  };
}

const invalid = (message: string) => new XmppAdapterError('invalid-argument', `profile: ${message}`);

/** The SHA-1 of `bytes` as 40 lowercase hex digits (XEP-0084's avatar id). */
export async function sha1Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function checkJid(jid: string | undefined): string | undefined {
  if (jid === undefined) return undefined;
  const normalized = normalizeJid(jid);
  if (normalized === undefined) throw invalid(`not a JID: ${String(jid).slice(0, 64)}`);
  return normalized;
}

const isItemNotFound = (error: unknown) => error instanceof StanzaError && error.condition === 'item-not-found';

export interface PublishAvatarOptions extends IqRequestOptions {
  width?: number;
  height?: number;
}

/**
 * XEP-0084 §3.1/§3.2: publishes PNG bytes to the data node, then their metadata. "Before updating
 * the avatar metadata node, the publisher MUST make sure that the avatar data is available at the
 * data node" and "the publisher MUST ensure that the value of the pubsub ItemID is a SHA-1 hash of
 * the data for the "image/png" content-type". Resolves with the metadata published.
 */
export async function publishAvatar(services: Iq, png: Uint8Array, options: PublishAvatarOptions = {}): Promise<AvatarInfo> {
  const { width, height, ...request } = options;
  if (!(png instanceof Uint8Array) || png.length === 0 || png.length > MAX_AVATAR_BYTES) {
    throw invalid(`the avatar must be 1..${MAX_AVATAR_BYTES} bytes`);
  }
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 65_535))
      throw invalid(`${name} must be an integer in 1..65535`);
  }
  const id = await sha1Hex(png);
  const info: AvatarInfo = { id, type: 'image/png', bytes: png.length };
  if (width !== undefined) info.width = width;
  if (height !== undefined) info.height = height;
  await publish(services, NS_AVATAR_DATA, buildAvatarData(bytesToBase64(png)), { ...request, id });
  await publish(services, NS_AVATAR_METADATA, buildAvatarMetadata([info]), { ...request, id });
  return info;
}

/** XEP-0084 §3.5: "the user publishes an empty <metadata/> element to the metadata node". */
export async function disableAvatar(services: Iq, options: IqRequestOptions = {}): Promise<void> {
  await publish(services, NS_AVATAR_METADATA, buildAvatarMetadata([]), options);
}

/** The current avatar metadata of `jid` (the own account when absent); undefined when none or disabled. */
export async function fetchAvatarMetadata(services: Iq, jid?: string, options: IqRequestOptions = {}): Promise<AvatarInfo | undefined> {
  const service = checkJid(jid);
  let result;
  try {
    result = await items(services, NS_AVATAR_METADATA, { ...options, latest: 1, ...(service === undefined ? {} : { service }) });
  } catch (error) {
    if (isItemNotFound(error)) return undefined;
    throw error;
  }
  const infos = readAvatarMetadata(result.items.at(-1)?.payload);
  if (infos instanceof StanzaParseError) return undefined;
  return preferredAvatar(infos);
}

export interface FetchAvatarOptions extends IqRequestOptions {
  /** Checked first; fetched bytes are stored in it. */
  cache?: AvatarCache;
}

/**
 * The PNG bytes of avatar `id` published by `jid`. XEP-0084 §3.4: "If the subscriber already has a
 * locally cached copy of the avatar image, it MUST NOT retrieve the image data"; otherwise it asks
 * the data node for that item. Cached or fetched, bytes are used only when their SHA-1 is `id`.
 */
export async function fetchAvatar(
  services: Iq,
  jid: string | undefined,
  id: string,
  options: FetchAvatarOptions = {},
): Promise<Uint8Array> {
  const { cache, ...request } = options;
  const service = checkJid(jid);
  if (!isSha1Hex(id)) throw invalid('the avatar id must be a SHA-1 hash (40 lowercase hex digits)');
  const cached = await cache?.get(id);
  if (cached !== undefined && (await sha1Hex(cached)) === id) return cached;
  const result = await items(services, NS_AVATAR_DATA, { ...request, ids: [id], ...(service === undefined ? {} : { service }) });
  const base64 = readAvatarData(result.items.find((item) => item.id === id)?.payload);
  const bytes = base64 === undefined ? undefined : base64ToBytes(base64);
  if (!bytes || bytes.length > MAX_AVATAR_BYTES) throw new XmppAdapterError('bad-reply', `avatar ${id}: no usable data`);
  if ((await sha1Hex(bytes)) !== id) throw new XmppAdapterError('bad-reply', `avatar ${id}: the data does not match its SHA-1 id`);
  await cache?.set(id, bytes);
  return bytes;
}

/**
 * XEP-0172 §4.5: "In order for a user to modify his or her nickname and notify contacts of that
 * change, it is RECOMMENDED for clients to use XEP-0163" — published to the own PEP node (item
 * `current`); an empty nickname clears it.
 */
export async function publishNick(services: Iq, nick: string, options: IqRequestOptions = {}): Promise<void> {
  if (typeof nick !== 'string' || nick.length > MAX_NICK_LENGTH)
    throw invalid(`the nickname must be a string of at most ${MAX_NICK_LENGTH} characters`);
  await publish(services, NS_NICK, buildNick(nick.trim()), { ...options, id: 'current' });
}

/** XEP-0172: the nickname `jid` (the own account when absent) published; undefined when none. */
export async function fetchNick(services: Iq, jid?: string, options: IqRequestOptions = {}): Promise<string | undefined> {
  const service = checkJid(jid);
  let result;
  try {
    result = await items(services, NS_NICK, { ...options, latest: 1, ...(service === undefined ? {} : { service }) });
  } catch (error) {
    if (isItemNotFound(error)) return undefined;
    throw error;
  }
  const nick = readNick(result.items.at(-1)?.payload);
  return nick === undefined || nick === '' ? undefined : nick;
}
