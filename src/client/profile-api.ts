import type { Actor, SnapshotFrom } from 'xstate';
import type { IqRequestOptions } from '../iq/iq-tracker.js';
import type { SessionMachine } from '../machines/session.machine.js';
import type { FeatureServices } from '../xeps/feature.js';
import { connectProfiles, type ProfileView } from '../xeps/profile/profile.connect.js';
import type { ProfileLogic } from '../xeps/profile/profile.machine.js';
import {
  createMemoryAvatarCache,
  disableAvatar,
  fetchAvatar,
  fetchAvatarMetadata,
  fetchNick,
  publishAvatar,
  publishNick,
  type AvatarCache,
  type PublishAvatarOptions,
} from '../xeps/profile/profile.requests.js';
import type { AvatarInfo, OwnVCardEvent, ProfileChangedEmitted, VCard } from '../xeps/profile/profile.types.js';
import { fetchVCardAvatar, getVCard, updateVCard, vcardPhotoHash, type VCardChanges } from '../xeps/profile/vcard.requests.js';
import { featureLookup, jidArgument } from './require-feature.js';

/** Promise helpers over the `profile` feature: avatars (XEP-0084) and nicknames (XEP-0172). */
export interface ProfileApi {
  /** Publishes PNG bytes as the own avatar (data, then metadata); resolves with the metadata. */
  setAvatar(png: Uint8Array, options?: PublishAvatarOptions): Promise<AvatarInfo>;
  /** Tells contacts there is no avatar to show. */
  disableAvatar(options?: IqRequestOptions): Promise<void>;
  /**
   * The avatar bytes of `jid` (the own account when absent): from the metadata the actor learnt from
   * notifications, else asked for; from the cache when its SHA-1 matches, else fetched and cached.
   * Resolves undefined when the account has no avatar in its PEP data node.
   */
  avatar(jid?: string, options?: IqRequestOptions): Promise<{ info: AvatarInfo; bytes: Uint8Array } | undefined>;
  /** Publishes the own nickname (`''` clears it). */
  setNick(nick: string, options?: IqRequestOptions): Promise<void>;
  /** The nickname `jid` published (from notifications, else asked for); undefined when none. */
  nick(jid?: string, options?: IqRequestOptions): Promise<string | undefined>;
  /**
   * XEP-0054: the vCard of `jid` (the own one when absent). Reading the own one lets our presence
   * advertise its photo's hash (XEP-0153) for the rest of the session.
   */
  vcard(jid?: string, options?: IqRequestOptions): Promise<VCard>;
  /** XEP-0054: changes fields and the photo of the own vCard, keeping the rest; our presence then advertises the photo's hash. */
  updateVCard(changes: VCardChanges, options?: IqRequestOptions): Promise<VCard>;
  /**
   * XEP-0153: the vCard photo of `jid` whose hash its presence advertises, from the cache when its
   * SHA-1 matches, else from the vCard; undefined when the contact advertises none.
   */
  vcardAvatar(jid: string, options?: IqRequestOptions): Promise<{ hash: string; bytes: Uint8Array } | undefined>;
  /** Calls `listener` when an account's nickname, avatar metadata or vCard avatar hash changes; returns the unsubscribe function. */
  onChange(listener: (event: ProfileChangedEmitted) => void): () => void;
  view(): ProfileView;
}

/** The own vCard was read or written: its photo's hash goes into our presence (XEP-0153). */
async function learnOwnHash(profile: { send(event: OwnVCardEvent): void }, vcard: VCard): Promise<void> {
  const hash = await vcardPhotoHash(vcard);
  if (hash !== undefined) profile.send({ type: 'profile.ownVCard', hash });
}

/**
 * The own PEP avatar changed: a server that mirrors it into the vCard (Prosody's mod_vcard_legacy)
 * changed the vCard too, so the hash we advertise is unknown until it is read again; an empty
 * update child lets such a server fill in the new one.
 */
function forgetOwnHash(profile: { send(event: OwnVCardEvent): void }): void {
  profile.send({ type: 'profile.ownVCard', hash: undefined });
}

/** Builds `client.profile`; `cache` keeps avatar bytes by SHA-1 (in memory unless the app gives its own). */
export function createProfileApi(
  session: Actor<SessionMachine>,
  services: FeatureServices,
  isRunning: () => boolean,
  cache: AvatarCache = createMemoryAvatarCache(),
): ProfileApi {
  const requireFeature = featureLookup(session, isRunning);
  const actor = () => requireFeature('profile');
  const view = () => connectProfiles(actor().getSnapshot() as SnapshotFrom<ProfileLogic>);

  return {
    async setAvatar(png, options) {
      const profile = actor();
      const info = await publishAvatar(services, png, options);
      forgetOwnHash(profile);
      return info;
    },
    async disableAvatar(options) {
      const profile = actor();
      await disableAvatar(services, options);
      forgetOwnHash(profile);
    },
    async avatar(jid, options = {}) {
      const peer = jid === undefined ? undefined : jidArgument(jid);
      const profiles = view();
      const known = peer === undefined ? undefined : profiles.of(peer).avatar;
      const info = known ?? (await fetchAvatarMetadata(services, peer, options));
      // Only the PEP data node is fetched here; an avatar offered only at a URL is the app's to load.
      if (!info || info.url !== undefined) return undefined;
      return { info, bytes: await fetchAvatar(services, peer, info.id, { ...options, cache }) };
    },
    async setNick(nick, options) {
      actor();
      return publishNick(services, nick, options);
    },
    async nick(jid, options) {
      const peer = jid === undefined ? undefined : jidArgument(jid);
      const profiles = view();
      const known = peer === undefined ? undefined : profiles.of(peer).nick;
      return known ?? fetchNick(services, peer, options);
    },
    async vcard(jid, options) {
      const profile = actor();
      const vcard = await getVCard(services, jid, options);
      if (jid === undefined) await learnOwnHash(profile, vcard);
      return vcard;
    },
    async updateVCard(changes, options) {
      const profile = actor();
      const vcard = await updateVCard(services, changes, options);
      // XEP-0153 §4.2: "a client MUST advertise an image if it has just uploaded the vCard with a new avatar image".
      await learnOwnHash(profile, vcard);
      return vcard;
    },
    async vcardAvatar(jid, options = {}) {
      const peer = jidArgument(jid);
      const hash = view().of(peer).vcardAvatar;
      if (hash === undefined) return undefined;
      return { hash, bytes: await fetchVCardAvatar(services, peer, hash, { ...options, cache }) };
    },
    onChange(listener) {
      const subscription = actor().on('profile.changed', listener as (event: unknown) => void);
      return () => subscription.unsubscribe();
    },
    view,
  };
}
