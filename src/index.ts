export { createXmppClient, type XmppClient, type ClientInternals } from './client/create-client.js';
export { createCoreClient, type CoreClient, type ClientEvent } from './client/core-client.js';
export { resolveOptions, LIBRARY_VERSION, type XmppClientOptions, type FastOptions, type Logger } from './client/options.js';
export type { FastToken } from './sasl/login-memory.js';
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
// Types that public signatures and actor snapshots refer to (contexts, events, options), for the API reference and for apps that name them.
export type { ResolvedOptions, ServiceScheme } from './client/options.js';
export type { ConnectionSettings, ConnectionStatusEvent } from './machines/connection.machine.js';
export type { SessionDependencies } from './machines/session.machine.js';
export type { MechanismName } from './sasl/mechanism.js';
export type { Keyed, MessageStore } from './store/message-store.js';
export type { SentMessageRef } from './wire/stanza-head.js';
export type {
  ArchiveAppliedEvent,
  ArchiveCancelEvent,
  ArchiveCatchUpEvent,
  ArchiveContext,
  ArchivedEntry,
  ArchivedGroupchat,
  ArchiveEmitted,
  ArchiveIntent,
  ArchiveLoadAllEvent,
  ArchiveLoadOlderEvent,
  ArchiveSearchEvent,
  CatchUpPoint,
  CatchUpStatus,
  HistoryStatus,
  OpenQuery,
  PlannedQuery,
  QueryPurpose,
} from './xeps/archive/archive.types.js';
export type {
  MamDefault,
  MamFin,
  MamPage,
  MamPageFetchInput,
  MamPagerContext,
  MamPagerEmitted,
  MamPagerFailure,
  MamPagerInput,
  MamPagerOutput,
  MamPagerQuery,
  MamQueryAhead,
  MamQueryParams,
  MamResultEvent,
} from './xeps/archive/mam.types.js';
export type { BlockingCommand, BlockingContext, BlockingPushEvent, BlockingStatus } from './xeps/blocking/blocking.types.js';
export type { BookmarksView } from './xeps/bookmarks/bookmarks.connect.js';
export type { BookmarksHelperOptions, BookmarksOptions } from './xeps/bookmarks/bookmarks.machine.js';
export type {
  BookmarkChange,
  BookmarkChanges,
  BookmarksCommand,
  BookmarksContext,
  BookmarksMode,
  BookmarksNotificationEvent,
  BookmarksStatus,
  LegacyUrlBookmark,
} from './xeps/bookmarks/bookmarks.types.js';
export type {
  CapsAnnouncedEvent,
  CapsCandidate,
  CapsContext,
  CapsGoneEvent,
  CapsHashName,
  CapsRecord,
  CapsRoutedEvent,
} from './xeps/caps/caps.types.js';
export type { CarbonsContext, CarbonsCopyEvent, CarbonsStatus } from './xeps/carbons/carbons.types.js';
export type { ChatLogicOptions } from './xeps/chat/chat.machine.js';
export type {
  ArchivedChatMessage,
  ChatArchivedEvent,
  ChatBatchEvent,
  ChatBounceEvent,
  ChatCarbonEvent,
  ChatComposeEvent,
  ChatComposePauseEvent,
  ChatContext,
  ChatCorrectEvent,
  ChatEvent,
  ChatIntent,
  ChatMarkReadEvent,
  ChatMessageError,
  ChatMessageEvent,
  ChatMessageState,
  ChatRetractEvent,
  ChatRoutedEvent,
  ChatSendEvent,
  ChatState,
  ConversationContext,
  ConversationInput,
  ConversationSetEvent,
  OutOfBandLink,
  ParsedChatMessage,
  ParsedMarker,
} from './xeps/chat/chat.types.js';
export type { CsiContext } from './xeps/csi/csi.types.js';
export type {
  DataForm,
  DataFormField,
  DiscoContext,
  DiscoIdentity,
  DiscoInfoRequestEvent,
  DiscoItem,
  DiscoItemsRequestEvent,
  DiscoRoutedEvent,
  ServerInfo,
  ServerInfoStatus,
} from './xeps/disco/disco.types.js';
export type { OutboundReportEvent, SpecReference } from './xeps/feature.js';
export type { FormFieldType } from './xeps/forms.js';
export type { IqRequest, IqRequestShape } from './xeps/iq-request.js';
export type { DestroyOptions } from './xeps/muc/muc-admin.codec.js';
export type { MucIntent, MucRoutedEvent } from './xeps/muc/muc.events.js';
export type {
  GroupchatMessage,
  ListedItem,
  MucItem,
  OccupantPresence,
  RoomDestroyed,
  RoomFailureReason,
  RoomPresenceError,
} from './xeps/muc/muc.types.js';
export type { MucSubNode, MucSubSubscription } from './xeps/muc/mucsub.codec.js';
export type { RoomLogicOptions } from './xeps/muc/room.machine.js';
export type { RoomListPage } from './xeps/muc/room.requests.js';
export type { RoomContext, RoomFailure } from './xeps/muc/room.types.js';
export type { KeepaliveStatus, PingContext, PingRequestEvent } from './xeps/ping/ping.types.js';
export type {
  PresenceBatchEvent,
  PresenceContext,
  PresenceIntent,
  PresenceRoutedEvent,
  ResourcePresence,
} from './xeps/presence/presence.types.js';
export type { ProfileOptions } from './xeps/profile/profile.machine.js';
export type { PublishAvatarOptions } from './xeps/profile/profile.requests.js';
export type {
  ProfileChangedEmitted,
  ProfileContext,
  OwnResourceUpdateEvent,
  OwnVCardEvent,
  OwnVCardState,
  ProfileNotificationEvent,
  ProfileRoutedEvent,
  VCardAvatarEvent,
} from './xeps/profile/profile.types.js';
export type { VCardChanges } from './xeps/profile/vcard.requests.js';
export type { PubsubFollow, PubsubOptions } from './xeps/pubsub/pubsub.machine.js';
export type { ItemsOptions, PublishOptions, RetractOptions } from './xeps/pubsub/pubsub.requests.js';
export type {
  FormValues as PubsubFormValues,
  ItemsResult,
  NodeItems,
  PubsubContext,
  PubsubItemsEmitted,
  PubsubNotificationEvent,
  RsmPage,
  Subscription as PubsubSubscription,
  SubscriptionState,
} from './xeps/pubsub/pubsub.types.js';
export type { PushFeatureOptions } from './xeps/push/push.machine.js';
export type { PushContext, PushRegistrationView, PushStatus } from './xeps/push/push.types.js';
export type { FormValues as RegistrationFormValues } from './xeps/register/register.codec.js';
export type { FormMedia, FormMediaUri } from './xeps/register/register.types.js';
export type {
  RosterCache,
  RosterCommand,
  RosterContext,
  RosterOptions,
  RosterPushEvent,
  RosterRemoval,
  RosterStatus,
  Subscription as RosterSubscription,
} from './xeps/roster/roster.types.js';
export type { TimeRequestEvent } from './xeps/time/time.types.js';
export type { FetchLike, PutOptions } from './xeps/upload/upload.http.js';
export type {
  UploadBody,
  UploadCancelEvent,
  UploadFailureReason,
  UploadFileInfo,
  UploadForgetEvent,
  UploadIntent,
  UploadManagerContext,
  UploadServiceStatus,
  UploadStartEvent,
  UploadSummary,
} from './xeps/upload/upload.types.js';
export type { VersionRequestEvent } from './xeps/version/version.types.js';

// The logic of each feature's actor, to type what `client.feature(id)` returns:
// `client.feature('chat') as ActorRefFrom<ChatLogic> | undefined`.
export type { ArchiveLogic } from './xeps/archive/archive.machine.js';
export type { MamPagerLogic } from './xeps/archive/pager.machine.js';
export type { BlockingLogic } from './xeps/blocking/blocking.machine.js';
export type { BookmarksLogic } from './xeps/bookmarks/bookmarks.machine.js';
export type { CapsLogic } from './xeps/caps/caps.machine.js';
export type { CarbonsLogic } from './xeps/carbons/carbons.machine.js';
export type { ChatLogic } from './xeps/chat/chat.machine.js';
export type { ConversationLogic } from './xeps/chat/conversation.machine.js';
export type { CsiLogic } from './xeps/csi/csi.machine.js';
export type { DiscoLogic } from './xeps/disco/disco.machine.js';
export type { MucLogic } from './xeps/muc/muc.machine.js';
export type { PingLogic } from './xeps/ping/ping.machine.js';
export type { PresenceLogic } from './xeps/presence/presence.machine.js';
export type { ProfileLogic } from './xeps/profile/profile.machine.js';
export type { PubsubLogic } from './xeps/pubsub/pubsub.machine.js';
export type { PushLogic } from './xeps/push/push.machine.js';
export type { RosterLogic } from './xeps/roster/roster.machine.js';
export type { TimeLogic } from './xeps/time/time.machine.js';
export type { TransferLogic } from './xeps/upload/transfer.machine.js';
export type { VersionLogic } from './xeps/version/version.machine.js';
