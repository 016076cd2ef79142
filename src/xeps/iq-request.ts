/**
 * What every IQ responder in `src/xeps` shares: the checks on an inbound request, the plain-data
 * reference kept in events, the reply builders, and the parse-error value codecs return.
 */
import type { Element } from '@xmpp/xml';
import { buildErrorReply, buildResultReply, type IqRequestRef } from '../iq/iq-tracker.js';
import { normalizeJid } from '../jid.js';
import type { RouteContext } from './feature.js';

export type { IqRequestRef };

/** Returned (never thrown) by every `parseX` when the input is not what the spec allows. */
export class StanzaParseError {
  readonly kind = 'stanza-parse-error' as const;
  constructor(readonly reason: string) {}
}

export function isParseError(value: unknown): value is StanzaParseError {
  return value instanceof StanzaParseError;
}

export interface IqRequest extends IqRequestRef {
  payload: Element;
}

export interface IqRequestShape {
  /** @default 'get' */
  type?: 'get' | 'set';
  /**
   * Who may send it (given the normalised `from`); anybody when omitted, and then `to` must be us.
   * A missing `from` is the own account.
   */
  acceptFrom?: (from: string, context: RouteContext) => boolean;
}

/**
 * Reads an inbound IQ request whose one payload is `<name xmlns=ns>` (one of `name` when a list),
 * or returns `undefined` to decline it. Declines results and errors (never answered), the other
 * request type, a missing id, a `from` that is not a JID or not accepted, a `to` that is not us,
 * and more than one payload (which would draw two replies).
 */
export function readIqRequest(
  stanza: Element,
  context: RouteContext,
  name: string | readonly string[],
  ns: string,
  shape: IqRequestShape = {},
): IqRequest | undefined {
  if (stanza.name !== 'iq' || stanza.attrs.type !== (shape.type ?? 'get')) return undefined;
  const id = stanza.attrs.id;
  if (typeof id !== 'string' || id.length === 0) return undefined;
  const from = stanza.attrs.from;
  if (from !== undefined) {
    const sender = normalizeJid(from);
    if (sender === undefined || (shape.acceptFrom && !shape.acceptFrom(sender, context))) return undefined;
  }
  const to = stanza.attrs.to;
  // Requests from anybody must be addressed to us; pushes restricted by `acceptFrom` are trusted by
  // their sender (the own account), whichever of its resources the server addressed.
  if (to !== undefined && !shape.acceptFrom) {
    const target = normalizeJid(to);
    if (target === undefined || (target !== normalizeJid(context.me) && target !== normalizeJid(context.ownBare))) return undefined;
  }
  // RFC 6120 §8.2.3: "An IQ stanza of type "get" or "set" MUST contain exactly one child element".
  const children = stanza.getChildElements();
  if (children.length !== 1) return undefined;
  const payload = children[0]!;
  if (payload.getNS() !== ns || (typeof name === 'string' ? payload.name !== name : !name.includes(payload.name))) return undefined;
  return from === undefined ? { id, payload } : { id, from, payload };
}

/** Copies an IQ request's routing facts into plain data (no elements in events). */
export function refOf(request: IqRequestRef): IqRequestRef {
  return request.from === undefined ? { id: request.id } : { id: request.id, from: request.from };
}

export const replyResult = buildResultReply;
export const replyError = buildErrorReply;
