import type { SessionLifecycleEvent } from '../feature.js';
import type { XmlNode } from '../pubsub/xml-node.js';

/** XEP-0084 §2.2.1: one format of an avatar, as its metadata `<info/>` describes it. */
export interface AvatarInfo {
  /** SHA-1 of the image bytes, 40 lowercase hex digits: the cache key and the data item's id. */
  id: string;
  /** Content type, e.g. `image/png`. */
  type: string;
  /** Size of the image in bytes. */
  bytes: number;
  width?: number;
  height?: number;
  /** Where the image is, when it is not in the PEP data node (http/https only). */
  url?: string;
}

/** What one notification changes about a contact: `null` clears (retracted, disabled or emptied). */
export interface ProfileChange {
  nick?: string | null;
  avatar?: AvatarInfo | null;
}

/** A nickname or avatar-metadata notification from an account's PEP service. */
export interface ProfileNotificationEvent extends ProfileChange {
  type: 'profile.notification';
  /** The account's bare JID (the publishing contact, or the own account). */
  jid: string;
}

/** A XEP-0153 avatar hash seen in a contact's presence: `null` when it advertises no avatar. */
export interface VCardAvatarEvent {
  type: 'profile.vcardAvatar';
  jid: string;
  hash: string | null;
}

/** A XEP-0054 vCard as plain data. */
export interface VCard {
  /** Simple top-level text fields present (FN, NICKNAME, BDAY, URL, …), trimmed. */
  fields: Record<string, string>;
  /** The PHOTO's BINVAL (whitespace removed) and TYPE hint, when it has image data. */
  photo?: { type?: string; base64: string };
  /** The whole vCard, so that an update writes back what it does not know. */
  node: XmlNode;
}

/** What is known of one account's profile. */
export interface Profile {
  nick?: string;
  /** The current avatar's metadata (the `image/png` format when offered); absent when none or disabled. */
  avatar?: AvatarInfo;
  /** XEP-0153: the SHA-1 of the vCard photo the account advertises in presence; absent when none or unknown. */
  vcardAvatar?: string;
}

/**
 * XEP-0153 §4.3: what a presence from another resource of the own account says. `none`: it has no
 * update child (that resource does not take part); `empty`: an empty one (it takes part, with no
 * image of its own); `{ hash }`: its photo hash, `null` for an empty photo; `gone`: it went offline.
 */
export interface OwnResourceUpdateEvent {
  type: 'profile.ownResource';
  /** The other resource's full JID. */
  jid: string;
  update: 'none' | 'empty' | 'gone' | { hash: string | null };
}

/**
 * What is known of the own vCard's photo: its SHA-1 once the vCard was read or written, `null` when
 * it has none, `undefined` when it may have changed unseen (the own PEP avatar was set: servers
 * such as Prosody mirror it into the vCard).
 */
export interface OwnVCardEvent {
  type: 'profile.ownVCard';
  hash: string | null | undefined;
}

/** XEP-0153: what our presence says about our own vCard avatar. */
export interface OwnVCardState {
  /** The photo hash learnt from the own vCard (`null`: no photo); absent until it is read or written. */
  hash?: string | null;
  /** Other resources of the account online without the update child (§4.3 rule 1): while any is, no hash is advertised. */
  nonConforming: string[];
}

export interface ProfileContext {
  /** By bare JID. */
  profiles: Record<string, Profile>;
  maxProfiles: number;
  ownVCard: OwnVCardState;
}

export type ProfileRoutedEvent = ProfileNotificationEvent | VCardAvatarEvent | OwnResourceUpdateEvent;

export type ProfileEvent =
  ProfileRoutedEvent | OwnVCardEvent | { type: 'profile.batch'; events: ProfileRoutedEvent[] } | SessionLifecycleEvent;

/** Emitted (`actor.on('profile.changed', …)`) when a contact's nickname or avatar changed. */
export interface ProfileChangedEmitted {
  type: 'profile.changed';
  jid: string;
  profile: Profile;
}

export type ProfileEmitted = ProfileChangedEmitted;
