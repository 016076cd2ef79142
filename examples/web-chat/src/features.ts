// Typed access to the client's feature actors, so that `useSelector` knows each snapshot's type.
// The snapshot types are read off the library's connect helpers, the functions the UI binds with.
import type { AnyActorRef } from 'xstate';
import {
  connectChat,
  connectChats,
  connectRoom,
  connectRoster,
  connectUploads,
  type RoomInvitation,
  type RosterRelated,
  type XmppClient,
} from 'xmpp-adapter';

export type RosterSnapshot = Parameters<typeof connectRoster>[0];
export type PresenceSnapshot = NonNullable<RosterRelated['presence']>;
export type BlockingSnapshot = NonNullable<RosterRelated['blocking']>;
export type ChatsSnapshot = Parameters<typeof connectChats>[0];
export type ConversationSnapshot = Parameters<typeof connectChat>[0];
export type ArchiveSnapshot = NonNullable<Parameters<typeof connectChat>[1]>;
export type UploadsSnapshot = Parameters<typeof connectUploads>[0];
export type RoomSnapshot = Parameters<typeof connectRoom>[0];
/** The `muc` manager's context as documented on MucContext (no connect helper lists the rooms). */
export interface MucSnapshot {
  context: { rooms: string[]; invitations: RoomInvitation[] };
}

/** What `useSelector` needs of an actor, with the snapshot type known. */
export interface Source<S> {
  getSnapshot(): S;
  subscribe: AnyActorRef['subscribe'];
}

interface FeatureSnapshots {
  roster: RosterSnapshot;
  presence: PresenceSnapshot;
  blocking: BlockingSnapshot;
  chat: ChatsSnapshot;
  archive: ArchiveSnapshot;
  upload: UploadsSnapshot;
  muc: MucSnapshot;
}

/** A session-long feature actor (they exist from `start()` until the client stops). */
export function feature<K extends keyof FeatureSnapshots>(client: XmppClient, id: K): Source<FeatureSnapshots[K]> {
  const ref = client.feature(id);
  if (!ref) throw new Error(`the client has no '${id}' feature`);
  return ref as Source<FeatureSnapshots[K]>;
}

/** The `chat:<jid>` actor, once a message (or a chat state) started the conversation. */
export const conversationActor = (client: XmppClient, jid: string) =>
  client.feature(`chat:${jid}`) as Source<ConversationSnapshot> | undefined;

/** The `room:<jid>` actor, from the first join on. */
export const roomActor = (client: XmppClient, jid: string) => client.rooms.actor(jid) as Source<RoomSnapshot> | undefined;
