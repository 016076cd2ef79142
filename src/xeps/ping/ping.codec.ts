/** XEP-0199 XMPP Ping codec: pure and synchronous. */
import { xml, type Element } from '@xmpp/xml';
import type { RouteContext } from '../feature.js';
import { readIqRequest, refOf, replyResult } from '../iq-request.js';
import type { IqRequestRef } from '../iq-request.js';
import type { PingRequestEvent } from './ping.types.js';

export const NS_PING = 'urn:xmpp:ping';

/** §3: an IQ get with an empty `<ping xmlns='urn:xmpp:ping'/>`; no `to` means the own server (account). */
export function buildPing(to?: string): Element {
  return xml('iq', { type: 'get', to }, xml('ping', { xmlns: NS_PING }));
}

/** The pong: an empty result (§4.1). */
export function buildPong(request: IqRequestRef): Element {
  return replyResult(request);
}

/** The ping get this stanza carries, from anyone, as the ping actor's event. */
export function parsePingRequest(stanza: Element, context: RouteContext): PingRequestEvent | undefined {
  const request = readIqRequest(stanza, context, 'ping', NS_PING);
  return request && { type: 'ping.request', ...refOf(request) };
}
