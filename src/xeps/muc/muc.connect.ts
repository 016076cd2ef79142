import type { SnapshotFrom } from 'xstate';
import { last as lastOf, toArray } from '../../store/message-store.js';
import type { ArchiveLogic } from '../archive/archive.machine.js';
import { connectHistory, type HistoryView } from '../archive/archive.connect.js';
import type { RoomLogic } from './room.machine.js';
import type { Occupant, RoomFailure, RoomMessage } from './room.types.js';

export type RoomStatus = 'starting' | 'joining' | 'joined' | 'leaving' | 'offline' | 'left' | 'failed' | 'ended';

/** A UI-ready view of one `room:<bareJid>` actor. */
export interface RoomView {
  jid: string;
  status: RoomStatus;
  /** Our nick: the confirmed one while joined, else the one asked for. */
  nick: string;
  /** Occupants sorted by nick (we are among them while joined). */
  occupants: Occupant[];
  /** Our own occupant entry while joined. */
  self: Occupant | undefined;
  subject: string | undefined;
  /** Every message, oldest first (copies the references once; use `last` for long histories). */
  messages: RoomMessage[];
  last(count: number): RoomMessage[];
  /** Messages from others since the room was last marked read (`client.rooms.markRead`). */
  unread: number;
  /** Why joining failed or the visit ended (kicked, banned, destroyed with an alternate venue, …). */
  failure: RoomFailure | undefined;
  /** ejabberd MucSub: we receive the room's events without being in it. */
  subscribed: boolean;
  /** Scrollback from the room's archive ("loading", "no more history", the last error); idle without an archive snapshot. */
  history: HistoryView;
  /** What our role and affiliation allow (XEP-0045 §5.1.1, §5.2.1), for enabling controls. */
  can: { send: boolean; setSubject: boolean; kick: boolean; ban: boolean; configure: boolean };
}

/**
 * A UI-ready view of a room; with the `archive` actor's snapshot (`client.feature('archive')`) it
 * also tells how scrollback stands.
 */
/** The room's top-level state, read without building the whole view (cheap enough for every snapshot). */
export function roomStatus(snapshot: SnapshotFrom<RoomLogic>): RoomStatus {
  // `joining` and `joined` have substates; the view shows the top level.
  const { value } = snapshot;
  return (typeof value === 'string' ? value : Object.keys(value)[0]) as RoomStatus;
}

export function connectRoom(snapshot: SnapshotFrom<RoomLogic>, archive?: SnapshotFrom<ArchiveLogic>): RoomView {
  const { context } = snapshot;
  const history = archive ? connectHistory(archive, context.jid) : { loading: false, complete: false, error: undefined };
  const status = roomStatus(snapshot);
  const self = context.self === undefined ? undefined : context.occupants[context.self];
  const role = self?.role ?? 'none';
  const affiliation = self?.affiliation ?? 'none';
  const joined = status === 'joined';
  return {
    jid: context.jid,
    status,
    nick: context.self ?? context.nick,
    // Code-unit order: cheap enough to run on every snapshot of a big room (an app may collate for display).
    occupants: Object.values(context.occupants).sort((a, b) => (a.nick < b.nick ? -1 : a.nick > b.nick ? 1 : 0)),
    self,
    subject: context.subject?.text,
    get messages() {
      return toArray(context.messages);
    },
    last: (count) => lastOf(context.messages, count),
    unread: context.unread,
    failure: context.failure,
    subscribed: context.subscription !== undefined,
    history: { loading: history.loading, complete: history.complete, error: history.error },
    can: {
      // §5.1.1: visitors may not send messages to all occupants (moderated rooms); participants and moderators may.
      send: joined && (role === 'participant' || role === 'moderator'),
      // Whether participants may change the subject is a room setting; moderators always may.
      setSubject: joined && role === 'moderator',
      kick: joined && role === 'moderator',
      ban: joined && (affiliation === 'admin' || affiliation === 'owner'),
      configure: joined && affiliation === 'owner',
    },
  };
}
