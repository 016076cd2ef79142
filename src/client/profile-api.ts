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
import type { AvatarInfo, ProfileChangedEmitted, VCard } from '../xeps/profile/profile.types.js';
import { fetchVCardAvatar, getVCard, updateVCard, type VCardChanges } from '../xeps/profile/vcard.requests.js';
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
  /** XEP-0054: the vCard of `jid` (the own one when absent). */
  vcard(jid?: string, options?: IqRequestOptions): Promise<VCard>;
  /** XEP-0054: changes fields and the photo of the own vCard, keeping the rest. */
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
      actor();
      return publishAvatar(services, png, options);
    },
    async disableAvatar(options) {
      actor();
      return disableAvatar(services, options);
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
      actor();
      return getVCard(services, jid, options);
    },
    async updateVCard(changes, options) {
      actor();
      return updateVCard(services, changes, options);
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
