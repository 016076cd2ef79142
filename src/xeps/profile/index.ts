import { defineFeature, type FeatureModule } from '../feature.js';
import { NS_PUBSUB_EVENT } from '../pubsub/pubsub.codec.js';
import { NS_AVATAR_METADATA, NS_NICK, parseProfileNotification } from './profile.codec.js';
import { createProfileLogic, type ProfileOptions } from './profile.machine.js';
import type { ProfileNotificationEvent } from './profile.types.js';

/** XEP-0084 User Avatar and XEP-0172 User Nickname over PEP. */
export function createProfileFeature(options: ProfileOptions = {}): FeatureModule<ProfileNotificationEvent> {
  return defineFeature<ProfileNotificationEvent>({
    id: 'profile',
    spec: [
      { xep: 'XEP-0084', version: '1.1.4', url: 'https://xmpp.org/extensions/xep-0084.html' },
      { xep: 'XEP-0172', version: '1.1', url: 'https://xmpp.org/extensions/xep-0172.html' },
    ],
    // XEP-0084 §3.3: the service sends metadata notifications to "contacts who have advertised an
    // interest in receiving avatar metadata by including a XEP-0115 feature of
    // "urn:xmpp:avatar:metadata+notify""; the same for nicknames (XEP-0163 filtered notifications).
    discoFeatures: [`${NS_AVATAR_METADATA}+notify`, `${NS_NICK}+notify`],
    handles: [{ stanza: 'message', ns: NS_PUBSUB_EVENT }],
    route: parseProfileNotification,
    logic: (services) => createProfileLogic(services, options),
    lifetime: 'session',
  });
}

export const profile = createProfileFeature();

export {
  MAX_AVATAR_INFOS,
  MAX_NICK_LENGTH,
  NS_AVATAR_DATA,
  NS_AVATAR_METADATA,
  NS_NICK,
  buildAvatarData,
  buildAvatarMetadata,
  buildNick,
  isSha1Hex,
  parseProfileNotification,
  preferredAvatar,
  readAvatarData,
  readAvatarMetadata,
  readNick,
} from './profile.codec.js';
export {
  MAX_AVATAR_BYTES,
  createMemoryAvatarCache,
  disableAvatar,
  fetchAvatar,
  fetchAvatarMetadata,
  fetchNick,
  publishAvatar,
  publishNick,
  sha1Hex,
  type AvatarCache,
  type FetchAvatarOptions,
  type PublishAvatarOptions,
} from './profile.requests.js';
export { applyProfileChange, createProfileLogic, type ProfileLogic, type ProfileOptions } from './profile.machine.js';
export { connectProfiles, type ProfileView } from './profile.connect.js';
export type * from './profile.types.js';
