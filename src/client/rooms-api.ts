import { waitFor, type Actor, type AnyActorRef, type SnapshotFrom } from 'xstate';
import { XmppAdapterError } from '../errors.js';
import { bareJid, normalizeJid, parseJid } from '../jid.js';
import type { SessionMachine } from '../machines/session.machine.js';
import { get } from '../store/message-store.js';
import { MAX_BODY_LENGTH } from '../xeps/chat/chat.codec.js';
import { roomId } from '../xeps/muc/muc.machine.js';
import { connectRoom, roomStatus, type RoomView } from '../xeps/muc/muc.connect.js';
import type { RoomLogic } from '../xeps/muc/room.machine.js';
import type { RoomMessage } from '../xeps/muc/room.types.js';
import type { DestroyOptions } from '../xeps/muc/muc.codec.js';
import type { Affiliation, ConfigField, ListedItem, Role, RoomInfo, RoomInvitation } from '../xeps/muc/muc.types.js';
import {
  acceptDefaultConfig,
  affiliationList,
  configForm,
  configure,
  decline,
  destroyRoom,
  invite,
  roomInfo,
  setAffiliation,
  setRole,
  listRooms,
  subscribe,
  subscriptions,
  unsubscribe,
  type RoomListPage,
} from '../xeps/muc/room.requests.js';
import { MUCSUB_NODES, type MucSubNode, type MucSubSubscription } from '../xeps/muc/mucsub.codec.js';
import type { FeatureServices } from '../xeps/feature.js';
import { argumentError, featureLookup } from './require-feature.js';

export interface JoinOptions {
  nick: string;
  password?: string;
  /** Ask the room for its discussion history. @default true */
  history?: boolean;
  /** On a nick conflict, try `nick_2`, `nick_3`, … this many times. @default 0 */
  nickRetries?: number;
}

/** Promise helpers over the `muc` feature (XEP-0045). */
export interface RoomsApi {
  /** Joins `room` and resolves with its view once the room confirmed us; rejects with why it refused (`feature-failed`, `failure.reason`). */
  join(room: string, options: JoinOptions): Promise<RoomView>;
  /** Leaves `room`; resolves when the room confirmed it (or after its answer timeout). */
  leave(room: string, status?: string): Promise<void>;
  /** Sends a groupchat message; resolves with it as stored (`sending` until the room reflects it). */
  send(room: string, body: string): Promise<RoomMessage>;
  /** XEP-0045 §8.1: changes the subject (the room decides who may). */
  setSubject(room: string, subject: string): void;
  /** XEP-0045 §7.6: changes our nick in `room`. */
  changeNick(room: string, nick: string): void;
  /** The app showed `room`'s messages: its view's `unread` goes to 0 (nothing is sent to the room). */
  markRead(room: string): void;
  /** The room's actor, for `connectRoom` (undefined before the first join). */
  actor(room: string): AnyActorRef | undefined;
  /**
   * Creates `room` and joins it as its owner (XEP-0045 §10.1): with `config` (muc#roomconfig values
   * by field var) a reserved room configured so, else an instant room. Rejects when it already existed.
   */
  create(room: string, options: JoinOptions & { config?: Record<string, string | boolean | readonly string[]> }): Promise<RoomView>;
  /** XEP-0045 §6.4: the room's features and muc#roominfo fields. */
  info(room: string): Promise<RoomInfo>;
  /** XEP-0045 §10.2: the configuration form (owners only). */
  configForm(room: string): Promise<ConfigField[]>;
  /** XEP-0045 §10.2: submits configuration values by field var. */
  configure(room: string, values: Record<string, string | boolean | readonly string[]>): Promise<void>;
  /** XEP-0045 §10.9: destroys the room (owners only), optionally pointing to an alternate venue. */
  destroy(room: string, options?: DestroyOptions): Promise<void>;
  /** XEP-0045 §8.2: kicks the occupant `nick` (moderators). */
  kick(room: string, nick: string, reason?: string): Promise<void>;
  /** XEP-0045 §9.1: bans `jid` (admins and owners). */
  ban(room: string, jid: string, reason?: string): Promise<void>;
  /** XEP-0045 §9–§10: grants or revokes membership, admin or owner (`none` removes it, `outcast` bans). */
  setAffiliation(room: string, jid: string, affiliation: Affiliation, reason?: string): Promise<void>;
  /** XEP-0045 §8: gives or takes voice and moderator (`none` kicks). */
  setRole(room: string, nick: string, role: Role, reason?: string): Promise<void>;
  /** XEP-0045 §9.5, §10.5: who has an affiliation. */
  affiliations(room: string, affiliation: Exclude<Affiliation, 'none'>): Promise<ListedItem[]>;
  /** Invites `jid`: through the room (XEP-0045 §7.8.2) or, with `direct`, directly (XEP-0249). */
  invite(room: string, jid: string, options?: { reason?: string; password?: string; direct?: boolean }): void;
  /** Declines a mediated invitation (XEP-0045 §7.8.2): the room tells the inviter. */
  decline(invitation: RoomInvitation, reason?: string): void;
  /** XEP-0045 §7.5: a private message to one occupant through the room (kept in the room's messages, `private: nick`). */
  sendPrivate(room: string, nick: string, body: string): void;
  /**
   * ejabberd MucSub: receive `room`'s messages (and, by default, presences and subject) without
   * joining; they land in the room's actor like a visit's. Resolves with the nodes granted.
   */
  subscribe(room: string, options: { nick: string; password?: string; nodes?: readonly MucSubNode[] }): Promise<string[]>;
  /** XEP-0045 §6.3 with XEP-0059: a page of `service`'s public rooms; pass `next` back as `after`. */
  list(service: string, page?: { max?: number; after?: string }): Promise<RoomListPage>;
  /** ejabberd MucSub: ends the subscription. */
  unsubscribe(room: string): Promise<void>;
  /** ejabberd MucSub: the rooms of `service` (a MUC service's JID) we are subscribed to. */
  subscriptions(service: string): Promise<MucSubSubscription[]>;
}

/** A room's bare JID: `room@service`, no resource. */
function roomArgument(room: string): string {
  const jid = normalizeJid(room);
  if (jid === undefined || bareJid(jid) !== jid || parseJid(jid)?.local === undefined)
    throw argumentError(`not a room JID: ${String(room)}`);
  return jid;
}

function nickArgument(nick: string): string {
  // XEP-0045 §7.2.1 / RFC 7622 §3.4: the nick is the resourcepart of the occupant JID.
  if (typeof nick !== 'string' || nick.length === 0 || parseJid(`room@example.org/${nick}`)?.resource !== nick) {
    throw argumentError(`not a usable nick: ${String(nick)}`);
  }
  return nick;
}

export function createRoomsApi(session: Actor<SessionMachine>, services: FeatureServices, isRunning: () => boolean): RoomsApi {
  const requireFeature = featureLookup(session, isRunning);
  const roomActor = (room: string) => session.system.get(roomId(room)) as Actor<RoomLogic> | undefined;
  const settled = (snapshot: SnapshotFrom<RoomLogic>) => ['joined', 'left', 'failed', 'ended'].includes(roomStatus(snapshot));

  const api: RoomsApi = {
    async join(room, options) {
      const jid = roomArgument(room);
      const nick = nickArgument(options.nick);
      const muc = requireFeature('muc');
      muc.send({
        type: 'muc.join',
        room: jid,
        nick,
        ...(options.password !== undefined ? { password: options.password } : {}),
        ...(options.history !== undefined ? { history: options.history } : {}),
        ...(options.nickRetries !== undefined ? { nickRetries: options.nickRetries } : {}),
      });
      const actor = roomActor(jid)!;
      // The join may be answered at once (a test server) or after a round trip: wait for the outcome.
      const snapshot = await waitFor(actor, settled, { timeout: Infinity });
      const view = connectRoom(snapshot);
      if (view.status !== 'joined') {
        const why = view.failure?.reason ?? view.status;
        throw new XmppAdapterError('feature-failed', `could not join ${jid}: ${why}${view.failure?.text ? ` (${view.failure.text})` : ''}`);
      }
      return view;
    },
    async leave(room, status) {
      const jid = roomArgument(room);
      const muc = requireFeature('muc');
      const actor = roomActor(jid);
      if (!actor) return;
      muc.send(status === undefined ? { type: 'muc.leave', room: jid } : { type: 'muc.leave', room: jid, status });
      await waitFor(actor, (s) => !['leaving', 'joined'].includes(roomStatus(s)), { timeout: Infinity });
    },
    async send(room, body) {
      const jid = roomArgument(room);
      if (typeof body !== 'string' || body.length === 0 || body.length > MAX_BODY_LENGTH) throw argumentError('a message needs a body');
      const muc = requireFeature('muc');
      const actor = roomActor(jid);
      if (!actor || roomStatus(actor.getSnapshot()) !== 'joined') throw new XmppAdapterError('feature-failed', `not in ${jid}`);
      const id = globalThis.crypto.randomUUID();
      muc.send({ type: 'muc.send', room: jid, body, id });
      const stored = get(actor.getSnapshot().context.messages, id);
      if (!stored) throw new XmppAdapterError('feature-failed', `the room ${jid} did not take the message`);
      return stored;
    },
    setSubject(room, subject) {
      const jid = roomArgument(room);
      if (typeof subject !== 'string') throw argumentError('a subject is a string');
      requireFeature('muc').send({ type: 'muc.setSubject', room: jid, subject, id: globalThis.crypto.randomUUID() });
    },
    changeNick(room, nick) {
      const jid = roomArgument(room);
      requireFeature('muc').send({ type: 'muc.changeNick', room: jid, nick: nickArgument(nick) });
    },
    markRead(room) {
      requireFeature('muc').send({ type: 'muc.markRead', room: roomArgument(room) });
    },
    actor: (room) => roomActor(roomArgument(room)),
    async create(room, options) {
      const jid = roomArgument(room);
      const current = roomActor(jid);
      if (current && roomStatus(current.getSnapshot()) === 'joined') throw new XmppAdapterError('feature-failed', `${jid} already exists`);
      const joined = await api.join(jid, options);
      // XEP-0045 §10.1.1: status 201 says the room was created for us and is locked until configured.
      if (!roomActor(jid)!.getSnapshot().context.created) {
        await api.leave(jid);
        throw new XmppAdapterError('feature-failed', `${jid} already exists`);
      }
      if (options.config) await configure(services, jid, options.config);
      else await acceptDefaultConfig(services, jid);
      return joined;
    },
    info: async (room) => roomInfo(services, roomArgument(room)),
    configForm: async (room) => configForm(services, roomArgument(room)),
    configure: async (room, values) => configure(services, roomArgument(room), values),
    destroy: async (room, options) => destroyRoom(services, roomArgument(room), options),
    kick: async (room, nick, reason) => setRole(services, roomArgument(room), nickArgument(nick), 'none', reason),
    ban: async (room, jid, reason) => setAffiliation(services, roomArgument(room), jid, 'outcast', reason),
    setAffiliation: async (room, jid, affiliation, reason) => setAffiliation(services, roomArgument(room), jid, affiliation, reason),
    setRole: async (room, nick, role, reason) => setRole(services, roomArgument(room), nickArgument(nick), role, reason),
    affiliations: async (room, affiliation) => affiliationList(services, roomArgument(room), affiliation),
    invite(room, jid, options) {
      requireFeature('muc');
      invite(services, roomArgument(room), jid, options);
    },
    decline(invitation, reason) {
      requireFeature('muc');
      if (invitation.direct) throw argumentError('a direct invitation (XEP-0249) has no decline');
      decline(services, invitation.room, invitation.from, reason);
    },
    async subscribe(room, options) {
      const jid = roomArgument(room);
      const nick = nickArgument(options.nick);
      const muc = requireFeature('muc');
      const nodes = options.nodes ?? [MUCSUB_NODES.messages, MUCSUB_NODES.presence, MUCSUB_NODES.subject];
      const granted = await subscribe(services, jid, nick, nodes, options.password);
      muc.send({ type: 'muc.subscribed', room: jid, nick, nodes: granted });
      return granted;
    },
    async unsubscribe(room) {
      const jid = roomArgument(room);
      const muc = requireFeature('muc');
      await unsubscribe(services, jid);
      muc.send({ type: 'muc.unsubscribed', room: jid });
    },
    subscriptions: async (service) => subscriptions(services, service),
    list: async (service, page) => listRooms(services, service, page),
    sendPrivate(room, nick, body) {
      const muc = requireFeature('muc');
      if (typeof body !== 'string' || body.length === 0 || body.length > MAX_BODY_LENGTH) throw argumentError('a message needs a body');
      const jid = roomArgument(room);
      const actor = roomActor(jid);
      if (!actor || roomStatus(actor.getSnapshot()) !== 'joined') throw new XmppAdapterError('feature-failed', `not in ${jid}`);
      muc.send({
        type: 'muc.sendPrivate',
        room: jid,
        nick: nickArgument(nick),
        body,
        id: globalThis.crypto.randomUUID(),
      });
    },
  };
  return api;
}
