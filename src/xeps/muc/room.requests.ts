/**
 * The room requests that need no actor: owner and admin IQs (XEP-0045 §8–§10), room info, and
 * invitations. Each builds with the codec (an unusable argument rejects with `invalid-argument`
 * before anything is sent) and rejects with the room's `StanzaError` (e.g. `forbidden` when our
 * affiliation does not allow it).
 */
import type { Element } from '@xmpp/xml';
import { XmppAdapterError } from '../../errors.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import { buildDiscoInfoRequest, buildDiscoItemsRequest, parseDiscoItems } from '../disco/disco.codec.js';
import { NS_RSM, buildRsmSet } from '../forms.js';
import { roomJidOf } from './muc-common.codec.js';
import type { FeatureServices } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import {
  buildAffiliationListRequest,
  buildAffiliationSet,
  buildConfigRequest,
  buildConfigSubmit,
  buildDecline,
  buildDestroy,
  buildDirectInvite,
  buildInstantRoom,
  buildMediatedInvite,
  buildRoleSet,
  parseConfigForm,
  parseItemList,
  parseRoomInfo,
  type DestroyOptions,
} from './muc.codec.js';
import type { Affiliation, ConfigField, ListedItem, Role, RoomInfo } from './muc.types.js';
import {
  NS_MUCSUB,
  buildSubscribe,
  buildSubscriptionsRequest,
  buildUnsubscribe,
  parseSubscriptions,
  type MucSubNode,
  type MucSubSubscription,
} from './mucsub.codec.js';

type Iq = Pick<FeatureServices, 'iq'>;

function built(stanza: Element | XmppAdapterError): Element {
  if (stanza instanceof XmppAdapterError) throw stanza;
  return stanza;
}

function usable<T>(value: T | StanzaParseError, what: string): T {
  if (value instanceof StanzaParseError) throw new XmppAdapterError('bad-reply', `MUC ${what}: ${value.reason}`);
  return value;
}

/** XEP-0045 §6.4: what the room says about itself. */
export async function roomInfo(services: Iq, room: string, options?: IqRequestOptions): Promise<RoomInfo> {
  return usable(parseRoomInfo(await services.iq.request(buildDiscoInfoRequest(room), options)), 'room info');
}

/** XEP-0045 §10.1.2: accept the default configuration of a room we just created (status 201). */
export async function acceptDefaultConfig(services: Iq, room: string, options?: IqRequestOptions): Promise<void> {
  await services.iq.request(built(buildInstantRoom(room)), options);
}

/** XEP-0045 §10.2: the room's configuration form, typed field by field. */
export async function configForm(services: Iq, room: string, options?: IqRequestOptions): Promise<ConfigField[]> {
  return usable(parseConfigForm(await services.iq.request(built(buildConfigRequest(room)), options)), 'configuration form');
}

/** XEP-0045 §10.2: submits configuration values by field var (the FORM_TYPE is added). */
export async function configure(
  services: Iq,
  room: string,
  values: Record<string, string | boolean | readonly string[]>,
  options?: IqRequestOptions,
): Promise<void> {
  const fields = [
    { var: 'FORM_TYPE', values: ['http://jabber.org/protocol/muc#roomconfig'] },
    ...Object.entries(values).map(([name, value]) => ({
      var: name,
      // XEP-0004 §3.3: booleans are "0"/"1" (or false/true).
      values: typeof value === 'boolean' ? [value ? '1' : '0'] : typeof value === 'string' ? [value] : [...value],
    })),
  ];
  await services.iq.request(built(buildConfigSubmit(room, fields)), options);
}

/** XEP-0045 §10.9: destroys the room, pointing its occupants to `alternate` when given. */
export async function destroyRoom(services: Iq, room: string, destroy: DestroyOptions = {}, options?: IqRequestOptions): Promise<void> {
  await services.iq.request(built(buildDestroy(room, destroy)), options);
}

/** XEP-0045 §9 (admin) / §10 (owner): sets `jid`'s affiliation: `outcast` bans, `none` removes. */
export async function setAffiliation(
  services: Iq,
  room: string,
  jid: string,
  affiliation: Affiliation,
  reason?: string,
  options?: IqRequestOptions,
): Promise<void> {
  await services.iq.request(built(buildAffiliationSet(room, jid, affiliation, reason)), options);
}

/** XEP-0045 §8 (moderator): sets the role of the occupant `nick`: `none` kicks, `visitor` takes voice away. */
export async function setRole(
  services: Iq,
  room: string,
  nick: string,
  role: Role,
  reason?: string,
  options?: IqRequestOptions,
): Promise<void> {
  await services.iq.request(built(buildRoleSet(room, nick, role, reason)), options);
}

/** XEP-0045 §9.5, §10.5: the members, admins, owners or outcasts of the room. */
export async function affiliationList(
  services: Iq,
  room: string,
  affiliation: Exclude<Affiliation, 'none'>,
  options?: IqRequestOptions,
): Promise<ListedItem[]> {
  return usable(parseItemList(await services.iq.request(built(buildAffiliationListRequest(room, affiliation)), options)), 'list');
}

/** Invites `jid` to `room`: through the room (XEP-0045 §7.8.2) or directly (XEP-0249). */
export function invite(
  services: Pick<FeatureServices, 'send'>,
  room: string,
  jid: string,
  options: { reason?: string; password?: string; direct?: boolean } = {},
): void {
  const { direct, ...rest } = options;
  services.send(built(direct ? buildDirectInvite(jid, room, rest) : buildMediatedInvite(room, jid, rest.reason)));
}

/** XEP-0045 §7.8.2: declines a mediated invitation (the room relays it to `inviter`). */
export function decline(services: Pick<FeatureServices, 'send'>, room: string, inviter: string, reason?: string): void {
  services.send(built(buildDecline(room, inviter, reason)));
}

/** ejabberd MucSub: subscribes to `room`'s events; resolves with the nodes the room granted. */
export async function subscribe(
  services: Iq,
  room: string,
  nick: string,
  nodes: readonly MucSubNode[],
  password?: string,
  options?: IqRequestOptions,
): Promise<string[]> {
  const reply = await services.iq.request(built(buildSubscribe(room, nick, nodes, password)), options);
  const granted = reply.getChild('subscribe', NS_MUCSUB)?.getChildren('event', NS_MUCSUB) ?? [];
  return granted.map((e) => String(e.attrs.node ?? '')).filter(Boolean);
}

/** ejabberd MucSub: ends the subscription to `room`. */
export async function unsubscribe(services: Iq, room: string, options?: IqRequestOptions): Promise<void> {
  await services.iq.request(built(buildUnsubscribe(room)), options);
}

/** ejabberd MucSub: the rooms of a MUC service we are subscribed to. */
export async function subscriptions(services: Iq, service: string, options?: IqRequestOptions): Promise<MucSubSubscription[]> {
  return usable(parseSubscriptions(await services.iq.request(built(buildSubscriptionsRequest(service)), options)), 'subscriptions');
}

/** One page of a MUC service's public rooms. */
export interface RoomListPage {
  rooms: { jid: string; name?: string }[];
  /** Pass as `after` for the next page; absent when the service does not page or this was the last. */
  next?: string;
  /** How many rooms the service has, when it says (XEP-0059 §2.6). */
  count?: number;
}

/**
 * XEP-0045 §6.3: the public rooms of `service` (disco#items), a page of `max` at a time with
 * XEP-0059 when the service pages; a service that does not answers with every room and no `<set/>`.
 */
export async function listRooms(
  services: Iq,
  service: string,
  page: { max?: number; after?: string } = {},
  options?: IqRequestOptions,
): Promise<RoomListPage> {
  const max = page.max ?? 50;
  if (!Number.isInteger(max) || max < 1 || max > 1000) throw new XmppAdapterError('invalid-argument', 'max must be an integer in 1..1000');
  const request = buildDiscoItemsRequest(service);
  request.getChild('query')!.append(buildRsmSet(max, page.after === undefined ? {} : { after: page.after }));
  const reply = await services.iq.request(request, options);
  const items = usable(parseDiscoItems(reply), 'room list');
  const result: RoomListPage = {
    rooms: items.items
      .filter((item) => roomJidOf(item.jid) !== undefined)
      .map((item) => (item.name === undefined ? { jid: item.jid } : { jid: item.jid, name: item.name })),
  };
  const set = reply.getChild('query')?.getChild('set', NS_RSM);
  const last = set?.getChildText('last', NS_RSM);
  const countText = set?.getChildText('count', NS_RSM);
  if (countText && /^\d{1,9}$/.test(countText)) result.count = Number(countText);
  // More to come only when the service paged and this page was full (XEP-0059 §2.2).
  if (last && items.items.length >= max && (result.count === undefined || result.count > 0)) result.next = last;
  return result;
}
