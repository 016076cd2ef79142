/**
 * 1:1 chat codec: RFC 6121 §5 chat messages with XEP-0359 (Unique and Stable Stanza IDs),
 * XEP-0203 (Delayed Delivery), XEP-0184 (Message Delivery Receipts), XEP-0333 (Chat Markers),
 * and the payloads read by chat-states.codec.ts and edits.codec.ts. One parser for live messages
 * and the messages carbons unwrap. Pure and synchronous; never throws on hostile input.
 */
import { xml, type Element } from '@xmpp/xml';
import { bareJid, normalizeJid, parseJid } from '../../jid.js';
import { NS_STANZAS } from '../../wire/namespaces.js';
import { StanzaParseError } from '../iq-request.js';
import type { RouteContext } from '../feature.js';
import type { ChatMessage, ChatMessageError, ChatRoutedEvent, OutOfBandLink, ParsedChatMessage, ParsedMarker } from './chat.types.js';
import { NS_CHATSTATES, chatStateOf } from './chat-states.codec.js';
import { NS_CORRECT, NS_HINTS, replaceIdOf, retractIdOf } from './edits.codec.js';
import { buildOob, oobOf } from './oob.codec.js';

export const NS_SID = 'urn:xmpp:sid:0';
export const NS_DELAY = 'urn:xmpp:delay';
export const NS_RECEIPTS = 'urn:xmpp:receipts';
export const NS_MARKERS = 'urn:xmpp:chat-markers:0';
/** XEP-0045's payload: it marks room private messages and invitations. */
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
/** Carbon wrappers are the carbons feature's business; the chat route leaves them alone. */
const NS_CARBONS = 'urn:xmpp:carbons:2';
const MARKERS = ['received', 'displayed', 'acknowledged'] as const;

/** A longer body is refused (a hostile peer could otherwise fill memory one message at a time). */
export const MAX_BODY_LENGTH = 100_000;
/** A delay stamp further than this in the future is not believed (clock skew allowance). */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

const MAX_ID_LENGTH = 1024;

/** A non-empty id of at most 1024 characters (longer ones are refused, not truncated). */
export function usableId(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH ? value : undefined;
}

/**
 * The `<stanza-id/>` assigned by the own account, or undefined. Anybody can put a stanza-id with
 * any `by` into a message; only the own server's is worth keying on.
 * XEP-0359 §3 rule 3: "Stanza ID generating entities, which encounter a <stanza-id/> element where
 * 'id' is already set and where the 'by' attribute matches their own XMPP address, MUST ignore the
 * existing value of 'id' and override it." (so one claiming `by` = own bare JID came from our server)
 */
export function trustedStanzaId(message: Element, ownBare: string): string | undefined {
  for (const child of message.getChildren('stanza-id', NS_SID)) {
    // XEP-0359 §3 rule 7: "The value of the 'by' attribute MUST be the XMPP address of the entity assigning the unique and stable stanza ID."
    if (normalizeJid(child.attrs.by) === ownBare) return usableId(child.attrs.id);
  }
  return undefined;
}

export function originIdOf(message: Element): string | undefined {
  return usableId(message.getChild('origin-id', NS_SID)?.attrs.id);
}

/** The raw stamp of the first `<delay/>`, if any (checked against the clock by {@link resolveStamp}). */
export function delayStampOf(message: Element): string | undefined {
  const stamp = message.getChild('delay', NS_DELAY)?.attrs.stamp;
  return typeof stamp === 'string' && stamp.length > 0 ? stamp : undefined;
}

// XEP-0082 §3.2 DateTime: CCYY-MM-DDThh:mm:ss[.sss]TZD
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The message time as ISO 8601 UTC: the delay stamp when it is a valid XEP-0082 DateTime not far
 * in the future, else the arrival time `nowMs` (a sender's clock is not trusted to reorder history).
 */
export function resolveStamp(delay: string | undefined, nowMs: number): string {
  if (delay !== undefined && DATE_TIME.test(delay)) {
    // XEP-0203 §2: "The format MUST adhere to the dateTime format specified in XEP-0082 and MUST be expressed in UTC."
    const ms = Date.parse(delay);
    if (Number.isFinite(ms) && ms <= nowMs + MAX_FUTURE_SKEW_MS) return new Date(ms).toISOString();
  }
  return new Date(nowMs).toISOString();
}

function hasChild(el: Element, name: string, ns: string): boolean {
  return el.getChild(name, ns) !== undefined;
}

/** The strongest XEP-0333 marker of `message` (acknowledged > displayed > received), if any. */
function markerOf(message: Element): ParsedMarker | undefined {
  let found: ParsedMarker | undefined;
  for (const marker of MARKERS) {
    // XEP-0333 §6: "The Chat Marker MUST have an 'id' which is the 'id' of the message being marked."
    const id = usableId(message.getChild(marker, NS_MARKERS)?.attrs.id);
    if (id !== undefined) found = { marker, id };
  }
  return found;
}

/**
 * Reads a 1:1 message (`type` chat or normal): its content and every payload the chat feature
 * knows. `from` is required (a message without one is from the own account's server, never a chat
 * partner). Refused: other types, unusable addresses, a body over {@link MAX_BODY_LENGTH}, and a
 * message with nothing the chat feature uses. Used for live messages and, through the carbons
 * feature, for the messages a carbon forwards.
 */
export function parseChatMessage(message: Element, ownBare: string): ParsedChatMessage | StanzaParseError {
  if (message.name !== 'message') return new StanzaParseError('not a message');
  const rawType = message.attrs.type ?? 'normal';
  if (rawType !== 'chat' && rawType !== 'normal') return new StanzaParseError(`type ${rawType} is not a 1:1 chat message`);
  const from = normalizeJid(message.attrs.from);
  if (from === undefined) return new StanzaParseError('no usable from');
  const parsed: ParsedChatMessage = { type: rawType, from, receiptRequested: hasChild(message, 'request', NS_RECEIPTS) };
  const body = message.getChild('body')?.text();
  if (body !== undefined && body.length > MAX_BODY_LENGTH) return new StanzaParseError('body too long');
  if (body) parsed.body = body;
  if (message.attrs.to !== undefined) {
    const to = normalizeJid(message.attrs.to);
    if (to === undefined) return new StanzaParseError('unusable to');
    parsed.to = to;
  }
  const idAttr = usableId(message.attrs.id);
  if (idAttr !== undefined) parsed.idAttr = idAttr;
  const originId = originIdOf(message);
  if (originId !== undefined) parsed.originId = originId;
  const stanzaId = trustedStanzaId(message, ownBare);
  if (stanzaId !== undefined) parsed.stanzaId = stanzaId;
  const delay = delayStampOf(message);
  if (delay !== undefined) parsed.delay = delay;
  if (hasChild(message, 'markable', NS_MARKERS)) parsed.markable = true;
  const oob = oobOf(message);
  if (oob !== undefined) parsed.oob = oob;
  const chatState = chatStateOf(message);
  if (chatState !== undefined) parsed.chatState = chatState;
  const receipt = usableId(message.getChild('received', NS_RECEIPTS)?.attrs.id);
  if (receipt !== undefined) parsed.receipt = receipt;
  const marker = markerOf(message);
  if (marker !== undefined) parsed.marker = marker;
  const replace = replaceIdOf(message);
  if (replace !== undefined) parsed.replace = replace;
  const retract = retractIdOf(message);
  if (retract !== undefined) parsed.retract = retract;
  const useful =
    parsed.body !== undefined || chatState !== undefined || receipt !== undefined || marker !== undefined || retract !== undefined;
  return useful ? parsed : new StanzaParseError('nothing for the chat feature');
}

/** RFC 6120 §8.3: the error of a `type='error'` stanza as plain data. */
export function parseMessageError(message: Element): ChatMessageError {
  const error = message.getChild('error');
  const condition = error?.getChildElements().find((c) => c.getNS() === NS_STANZAS && c.name !== 'text')?.name ?? 'undefined-condition';
  const result: ChatMessageError = { condition };
  if (error?.attrs.type !== undefined) result.type = error.attrs.type;
  const text = error?.getChildText('text', NS_STANZAS);
  if (text) result.text = text;
  return result;
}

/**
 * What the chat feature makes of an inbound message: a `chat.message` (content and payloads,
 * checked by the manager), a bounce, or nothing (`[]`). Messages with carbons are declined (see
 * the carbons feature, which unwraps them with the same {@link parseChatMessage}).
 */
export function routeChatStanza(stanza: Element, context: RouteContext): ChatRoutedEvent[] {
  if (stanza.name !== 'message') return [];
  if (hasChild(stanza, 'received', NS_CARBONS) || hasChild(stanza, 'sent', NS_CARBONS)) return [];
  // Room private messages and mediated invitations (XEP-0045 §7.5, §7.8.2) are the muc feature's.
  if (hasChild(stanza, 'x', NS_MUC_USER)) return [];
  if (stanza.attrs.type === 'error') {
    const from = normalizeJid(stanza.attrs.from);
    const id = usableId(stanza.attrs.id);
    if (from === undefined || id === undefined) return [];
    return [{ type: 'chat.bounce', from, id, error: parseMessageError(stanza) }];
  }
  const message = parseChatMessage(stanza, context.ownBare);
  return message instanceof StanzaParseError ? [] : [{ type: 'chat.message', message }];
}

export interface OutgoingChat {
  to: string;
  body: string;
  /** Used as the stanza `id` and the XEP-0359 origin-id. */
  id: string;
  /** Add XEP-0085 `<active/>` (the peer's client has not shown it ignores chat states). */
  active?: boolean;
  /** XEP-0280 §6: no carbon copies of this message. */
  private?: boolean;
  /** XEP-0308: the stanza id of the message this one corrects. */
  replace?: string;
  /** Ask for a XEP-0184 receipt. @default true */
  receipt?: boolean;
  /** XEP-0066 file link. */
  oob?: OutOfBandLink;
}

/** A type='chat' message with an origin-id, a XEP-0184 receipt request and a XEP-0333 markable. */
export function buildChatMessage({ to, body, id, active, private: isPrivate, replace, receipt = true, oob }: OutgoingChat): Element {
  const message = xml(
    'message',
    { type: 'chat', to, id },
    xml('body', {}, body),
    // XEP-0184 §7: "A sender MUST include an 'id' attribute on every content message that requests a receipt".
    receipt ? xml('request', { xmlns: NS_RECEIPTS }) : undefined,
    // XEP-0359 §2.2: "the client MUST use the <origin-id/> element extension element qualified by the 'urn:xmpp:sid:0' namespace."
    xml('origin-id', { xmlns: NS_SID, id }),
    // XEP-0333 §6: "A sender MUST include an 'id' attribute on every markable message."
    xml('markable', { xmlns: NS_MARKERS }),
  );
  // XEP-0085 §5.3: "every content message SHOULD contain an <active/> notification."
  if (active) message.append(xml('active', { xmlns: NS_CHATSTATES }));
  if (oob) message.append(buildOob(oob));
  // XEP-0308 §3: "the client will resend the corrected message with a new id, and with the replace payload refering to the previous message by id".
  if (replace !== undefined) message.append(xml('replace', { xmlns: NS_CORRECT, id: replace }));
  if (isPrivate) {
    // XEP-0280 §6: the sending client adds "a <private/> element qualified by the namespace
    // 'urn:xmpp:carbons:2'" (and a XEP-0334 <no-copy/> hint) to keep a message from being copied.
    message.append(xml('private', { xmlns: NS_CARBONS }));
    // XEP-0334 §4.3: "This hint MUST only be included on messages addressed to full JIDs".
    if (parseJid(to)?.resource !== undefined) message.append(xml('no-copy', { xmlns: NS_HINTS }));
  }
  return message;
}

/**
 * A XEP-0333 chat marker for the message whose stanza id is `id`.
 * §6: "it SHOULD ensure that the message stanza contains only the Chat Marker child element".
 */
export function buildMarker(to: string, id: string, marker: 'received' | 'displayed' | 'acknowledged', ownId: string): Element {
  return xml('message', { to, id: ownId, type: 'chat' }, xml(marker, { xmlns: NS_MARKERS, id }));
}

/**
 * The XEP-0184 ack for a content message: to its sender, echoing its `id`, with the same type.
 * XEP-0184 §7: "it SHOULD ensure that the message stanza contains only one child element, namely the <received/> element".
 */
export function buildReceipt(to: string, id: string, type: 'chat' | 'normal', ownId: string): Element {
  return xml('message', { to, id: ownId, type: type === 'chat' ? 'chat' : undefined }, xml('received', { xmlns: NS_RECEIPTS, id }));
}

/** The conversation a message belongs to: the peer's bare JID. */
export function peerOf(direction: 'in' | 'out', message: Pick<ParsedChatMessage, 'from' | 'to'>): string | undefined {
  return bareJid(direction === 'in' ? message.from : message.to);
}

/**
 * The dedupe key, the same for every copy of one message: the XEP-0359 origin-id when the sender
 * gave one, else the stanza-id our own server assigned, else the stanza `id`. The origin-id comes
 * first in both directions because it is the one id every copy shares: a message the sender's
 * server never acknowledged is sent again on its next stream and gets a new stanza-id from our
 * server, while the sent carbon and the archive copy of our own messages carry a stanza-id the
 * sending device never saw. (A peer can only collide with ids within its own conversation, where
 * a collision drops the peer's own later message.)
 */
export function dedupeIdOf(message: Pick<ParsedChatMessage, 'stanzaId' | 'originId' | 'idAttr'>): string | undefined {
  return message.originId ?? message.stanzaId ?? message.idAttr;
}

/**
 * The stored form of a parsed message. `nowMs` (wall clock, ms since the epoch) and `newId` are
 * passed in so that this stays pure: arrival time for messages without a usable delay stamp, and
 * an id for messages that carry none of the XEP-0359 ids nor a stanza `id`.
 */
export function toChatMessage(
  parsed: ParsedChatMessage,
  direction: 'in' | 'out',
  nowMs: number,
  newId: () => string,
  me: string | undefined,
): ChatMessage {
  const message: ChatMessage = {
    id: dedupeIdOf(parsed) ?? newId(),
    direction,
    from: parsed.from,
    to: parsed.to ?? me ?? '',
    body: parsed.body ?? '',
    stamp: resolveStamp(parsed.delay, nowMs),
    // Incoming messages have reached us; another resource's outgoing ones have left it.
    state: direction === 'in' ? 'delivered' : 'sent',
  };
  if (parsed.originId !== undefined) message.originId = parsed.originId;
  if (parsed.stanzaId !== undefined) message.stanzaId = parsed.stanzaId;
  if (parsed.idAttr !== undefined && parsed.idAttr !== message.id) message.wireId = parsed.idAttr;
  if (parsed.oob !== undefined) message.oob = parsed.oob;
  // §7: "Messages MUST have an 'id' to use Chat Markers."
  if (direction === 'in' && parsed.markable && parsed.idAttr !== undefined) message.markableId = parsed.idAttr;
  return message;
}
