/**
 * The room actor's pure parts: reading our own and others' presences into the occupant list, why
 * a visit ended, what a self-ping's answer means, and the room's disco#info.
 */
import { StanzaError } from '../../errors.js';
import { buildDiscoInfoRequest } from '../disco/disco.codec.js';
import type { FeatureServices } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import { lookup, without, withEntry } from '../keyed-record.js';
import { STATUS, parseRoomInfo } from './muc.codec.js';
import type { OccupantPresence, RoomFailureReason, RoomInfo } from './muc.types.js';
import type { Occupant, RoomContext, RoomFailure } from './room.types.js';

/** XEP-0410 §3.2: "After an adequate amount of silence from a given MUC (e.g. 15 minutes) ... a client should initiate a self-ping." */
export const SELF_PING_AFTER = 15 * 60_000;

/** What a self-ping's answer says (XEP-0410 §3.2). */
export type SelfPingVerdict = 'joined' | 'not-joined' | 'unknown';

/**
 * XEP-0410 §3.2: a result, `service-unavailable` or `feature-not-implemented` (the pinged client
 * has no XEP-0199) and `item-not-found` (a nick change under way) mean still joined; a timeout
 * says nothing; "Any other error ... the client is probably not joined any more. It should perform a re-join."
 */
export function selfPingVerdict(error: unknown): SelfPingVerdict {
  if (error === undefined) return 'joined';
  if (error instanceof StanzaError) {
    return ['service-unavailable', 'feature-not-implemented', 'item-not-found'].includes(error.condition) ? 'joined' : 'not-joined';
  }
  return 'unknown';
}

/** Our presence from the room: XEP-0045 §7.2.2 "... MUST include status code 110 ... in the presence sent to the new occupant". */
export const isSelf = (presence: OccupantPresence) => presence.statusCodes.includes(STATUS.SELF);

function occupantOf(presence: OccupantPresence, occupantIds: boolean): Occupant {
  const occupant: Occupant = { nick: presence.nick, role: presence.item.role ?? 'none', affiliation: presence.item.affiliation ?? 'none' };
  if (presence.item.jid !== undefined) occupant.jid = presence.item.jid;
  // XEP-0421 §4: the occupant-id "MUST be ignored if support for the feature is not announced" by the room.
  if (presence.occupantId !== undefined && occupantIds) occupant.occupantId = presence.occupantId;
  if (presence.show !== undefined) occupant.show = presence.show;
  if (presence.status !== undefined) occupant.status = presence.status;
  return occupant;
}

/** The occupant list after one presence: joins and updates, leaves, and §7.6 nick changes (303). */
export function withPresence(
  occupants: Record<string, Occupant>,
  presence: OccupantPresence,
  occupantIds: boolean,
): Record<string, Occupant> {
  if (presence.available) return withEntry(occupants, presence.nick, occupantOf(presence, occupantIds));
  const left = without(occupants, presence.nick);
  const renamed = presence.statusCodes.includes(STATUS.NICK_CHANGED) ? presence.item.nick : undefined;
  const before = lookup(occupants, presence.nick);
  // The new nick's available presence follows; keep the occupant under it meanwhile.
  return renamed !== undefined && before ? withEntry(left, renamed, { ...before, nick: renamed }) : left;
}

/** Why our own unavailable presence ended the visit (XEP-0045 §9.1.3, §9.1.6, §9.4, §10.9, §15.6.2). */
export function endOf(presence: OccupantPresence): RoomFailure | undefined {
  const codes = presence.statusCodes;
  const by = presence.item.actor?.nick ?? presence.item.actor?.jid;
  const failure = (reason: RoomFailureReason): RoomFailure => ({
    reason,
    ...(presence.item.reason !== undefined ? { text: presence.item.reason } : {}),
    ...(by !== undefined ? { by } : {}),
  });
  if (presence.destroyed)
    return {
      reason: 'destroyed',
      destroyed: presence.destroyed,
      ...(presence.destroyed.reason ? { text: presence.destroyed.reason } : {}),
    };
  if (codes.includes(STATUS.BANNED)) return failure('banned');
  if (codes.includes(STATUS.KICKED)) return failure('kicked');
  if (codes.includes(STATUS.REMOVED_AFFILIATION) || codes.includes(STATUS.REMOVED_MEMBERS_ONLY)) return failure('removed');
  if (codes.includes(STATUS.SHUTDOWN)) return failure('shutdown');
  return undefined;
}

/** disco#info of the room (XEP-0045 §6.4): its features decide what the room actor trusts and asks for. */
export async function fetchRoomInfo(services: Pick<FeatureServices, 'iq'>, room: string, signal: AbortSignal): Promise<RoomInfo> {
  const info = parseRoomInfo(await services.iq.request(buildDiscoInfoRequest(room), { signal }));
  if (info instanceof StanzaParseError) throw new Error(`room info of ${room}: ${info.reason}`);
  return info;
}

/** The room keeps a XEP-0313 archive and this client has the `archive` feature to page it. */
export function usesArchive(context: RoomContext, system: { get(id: string): unknown }): boolean {
  return context.info?.archived === true && system.get('archive') !== undefined;
}
