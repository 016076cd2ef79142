export { createXmppClient, type XmppClient, type ClientInternals } from './client/create-client.js';
export { resolveOptions, LIBRARY_VERSION, type XmppClientOptions, type Logger } from './client/options.js';
export { selectConnection } from './client/select-connection.js';
export { XmppAdapterError, InvalidOptionsError, StanzaError, type XmppErrorCode } from './errors.js';
export { parseJid, bareJid, normalizeJid, type JidParts } from './jid.js';
export type { ConnectionStatus, ConnectionView, ConnectionError, ConnectionCommand } from './machines/connection.types.js';
export { connectionMachine, type ConnectionContext, type ConnectionInput } from './machines/connection.machine.js';
export { createSessionMachine, type SessionContext, type SessionEmitted, type SessionEvent } from './machines/session.machine.js';
export type { TransportCommand, TransportEvent } from './actors/transport.types.js';
export type { DropReason } from './wire/drop-reason.js';
export { createRouter, type Router, type Delivery } from './router/router.js';
export { IqTracker, buildErrorReply, buildResultReply, type IqRequestOptions } from './iq/iq-tracker.js';
export type { SessionLifecycleEvent } from './xeps/feature.js';
export type { Clock } from './iq/clock.js';
export {
  defineFeature,
  type FeatureModule,
  type FeatureServices,
  type FeatureInput,
  type RouteContext,
  type StanzaKey,
} from './xeps/feature.js';
export { defaultFeatures, withFeatures, xepTable, type XepTableRow } from './xeps/registry.js';
export type { AppIntent } from './client/intents.js';
export type { AppNotification } from './client/notifications.js';
export type { AddContactOptions, ContactsApi, MessagesApi, PresenceApi, SendMessageOptions } from './client/im-api.js';
export { StanzaParseError, isParseError, readIqRequest, refOf, replyError, replyResult, type IqRequestRef } from './xeps/iq-request.js';
export { disco, discoInfo, discoItems, connectDisco, type DiscoInfo, type DiscoItems, type DiscoView } from './xeps/disco/index.js';
export { caps, connectCaps, type CapsView } from './xeps/caps/index.js';
export { ping, pingEntity, connectPing, type PingView } from './xeps/ping/index.js';
export { time, entityTime, type EntityTime } from './xeps/time/index.js';
export { version, softwareVersion, type SoftwareVersion } from './xeps/version/index.js';
export { xml, type Element } from '@xmpp/xml';
// Core instant messaging (all in `defaultFeatures`).
export {
  chat,
  createChatFeature,
  sendMessage,
  connectChat,
  connectChats,
  type ChatsView,
  type ConversationView,
} from './xeps/chat/index.js';
export type { ChatMessage } from './xeps/chat/index.js';
export { carbons, connectCarbons, enableCarbons, disableCarbons, type CarbonsView } from './xeps/carbons/index.js';
export {
  roster,
  createRosterFeature,
  connectRoster,
  type Contact,
  type RosterRelated,
  addContact,
  removeContact,
  renameContact,
  setGroups,
  type RosterView,
} from './xeps/roster/index.js';
export type { RosterItem } from './xeps/roster/index.js';
export {
  presence,
  connectPresence,
  subscribe,
  approve,
  deny,
  unsubscribe,
  setPresence,
  type ContactPresence,
  type PresenceView,
} from './xeps/presence/index.js';
export type { OwnPresence, PendingRequest, Show } from './xeps/presence/index.js';
export { blocking, connectBlocking, block, unblock, type BlockingView } from './xeps/blocking/index.js';
// Message history (in `defaultFeatures`).
export {
  archive,
  createArchiveFeature,
  connectHistory,
  getArchivePrefs,
  setArchivePrefs,
  type ArchiveLogicOptions,
  type ArchivedResult,
  type ArchiveOutcome,
  type HistoryView,
  type MamPrefs,
} from './xeps/archive/index.js';
export type { ArchiveApi, HistoryOptions, HistoryResult, SearchOptions } from './client/archive-api.js';
// Group chat and bookmarks (in `defaultFeatures`).
export {
  muc,
  createMucFeature,
  connectRoom,
  roomStatus,
  MUCSUB_NODES,
  type RoomLogic,
  type RoomView,
  type RoomStatus,
  type RoomMessage,
  type Occupant,
  type RoomInvitation,
  type RoomInfo,
  type ConfigField,
  type Role,
  type Affiliation,
} from './xeps/muc/index.js';
export type { JoinOptions, RoomsApi } from './client/rooms-api.js';
export { bookmarks, createBookmarksFeature, connectBookmarks, addBookmark, removeBookmark, type Bookmark } from './xeps/bookmarks/index.js';
// HTTP File Upload (in `defaultFeatures`).
export {
  upload,
  createUploadFeature,
  connectUploads,
  discoverUploadService,
  type UploadFeatureOptions,
  type UploadLogic,
  type UploadView,
  type UploadsView,
  type UploadFailure,
  type UploadService,
  type UploadStatus,
} from './xeps/upload/index.js';
export { UploadError, type FilesApi, type UploadedFile, type UploadOptions, type UploadSource } from './client/files-api.js';
// Endpoint discovery (XEP-0156), registration (XEP-0077), push (XEP-0357, in `defaultFeatures`).
export { discoverService, parseHostMeta, type DiscoverOptions } from './wire/host-meta.js';
export {
  register,
  RegistrationError,
  type RegisterAccountOptions,
  type RegisterResult,
  type NeedsForm,
  type Registered,
} from './client/register.js';
export type { RegistrationForm, RegistrationField, RegistrationFailure } from './xeps/register/index.js';
export {
  push,
  createPushFeature,
  connectPush,
  parsePushNotification,
  type PushView,
  type PushRegistration,
  type PushNotification,
} from './xeps/push/index.js';
export type { AccountApi } from './client/account-api.js';
export type { PushApi, PushResult } from './client/push-api.js';
// PubSub/PEP and profiles (in `defaultFeatures`).
export {
  pubsub,
  createPubsubFeature,
  connectPubsub,
  publish as publishItem,
  retract as retractItem,
  items as fetchItems,
  subscribe as subscribeNode,
  unsubscribe as unsubscribeNode,
  nodeConfig,
  configureNode,
  createNode,
  deleteNode,
  storePrivate,
  loadPrivate,
  type PubsubItem,
  type PubsubView,
  type XmlNode,
} from './xeps/pubsub/index.js';
export type { PubsubApi } from './client/pubsub-api.js';
export {
  profile,
  createProfileFeature,
  connectProfiles,
  createMemoryAvatarCache,
  type AvatarCache,
  type AvatarInfo,
  type Profile,
  type ProfileView,
  type VCard,
} from './xeps/profile/index.js';
export type { ProfileApi } from './client/profile-api.js';
// Client State Indication (in `defaultFeatures`).
export { csi, connectCsi, type CsiView, type CsiSetEvent } from './xeps/csi/index.js';
export type { CsiApi } from './client/create-client.js';
