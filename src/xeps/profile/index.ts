import { ANY_NAMESPACE, defineFeature, type FeatureModule } from '../feature.js';
import { NS_PUBSUB_EVENT } from '../pubsub/pubsub.codec.js';
import { NS_AVATAR_METADATA, NS_NICK, parseProfileNotification } from './profile.codec.js';
import { createProfileLogic, type ProfileOptions } from './profile.machine.js';
import type { ProfileRoutedEvent } from './profile.types.js';
import { parseOwnResourceUpdate, parseVCardUpdate } from './vcard.codec.js';

/** XEP-0084 User Avatar and XEP-0172 User Nickname over PEP; XEP-0054 vCards and XEP-0153 hashes. */
export function createProfileFeature(options: ProfileOptions = {}): FeatureModule<ProfileRoutedEvent> {
  return defineFeature<ProfileRoutedEvent>({
    id: 'profile',
    spec: [
      { xep: 'XEP-0084', version: '1.1.4', url: 'https://xmpp.org/extensions/xep-0084.html' },
      { xep: 'XEP-0172', version: '1.1', url: 'https://xmpp.org/extensions/xep-0172.html' },
      { xep: 'XEP-0054', version: '1.2', url: 'https://xmpp.org/extensions/xep-0054.html' },
      { xep: 'XEP-0153', version: '1.1', url: 'https://xmpp.org/extensions/xep-0153.html' },
    ],
    // XEP-0084 §3.3: the service sends metadata notifications to "contacts who have advertised an
    // interest in receiving avatar metadata by including a XEP-0115 feature of
    // "urn:xmpp:avatar:metadata+notify""; the same for nicknames (XEP-0163 filtered notifications).
    discoFeatures: [`${NS_AVATAR_METADATA}+notify`, `${NS_NICK}+notify`],
    handles: [
      { stanza: 'message', ns: NS_PUBSUB_EVENT },
      // Contacts' XEP-0153 hashes, and every presence of the own account's other resources (§4.3).
      { stanza: 'presence', ns: ANY_NAMESPACE },
    ],
    route: (stanza, context) => {
      if (stanza.name === 'message') return parseProfileNotification(stanza, context);
      const events: ProfileRoutedEvent[] = [];
      const update = parseVCardUpdate(stanza, context);
      if (update) events.push(update);
      const own = parseOwnResourceUpdate(stanza, context);
      if (own) events.push(own);
      return events;
    },
    logic: (services) => createProfileLogic(services, options),
    lifetime: 'session',
    // Presences come in floods (a roster's worth at login): one transition per socket read.
    batches: true,
  });
}

export const profile = /*#__PURE__*/ createProfileFeature();

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
export {
  NS_VCARD,
  NS_VCARD_UPDATE,
  VCARD_TEXT_FIELDS,
  buildVCardGet,
  buildVCardSet,
  mergeVCard,
  parseOwnResourceUpdate,
  parseVCard,
  parseVCardUpdate,
  readVCard,
  type VCardTextField,
} from './vcard.codec.js';
export { advertisedVCardHash, buildVCardUpdate } from './vcard-update.js';
export { fetchVCardAvatar, getVCard, readOwnVCardHash, updateVCard, vcardPhotoHash, type VCardChanges } from './vcard.requests.js';
export { applyOwnResource, applyProfileChange, createProfileLogic, type ProfileLogic, type ProfileOptions } from './profile.machine.js';
export { connectProfiles, type ProfileView } from './profile.connect.js';
export type * from './profile.types.js';
