/**
 * XEP-0280 Message Carbons (with XEP-0297 Stanza Forwarding) codec: pure and synchronous.
 * The trust check lives here: a carbon counts only when it comes from the own bare JID.
 */
import { xml, type Element } from '@xmpp/xml';
import { bareJid, normalizeJid } from '../../jid.js';
import type { RouteContext } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import { delayStampOf, parseChatMessage } from '../chat/chat.codec.js';
import type { CarbonsCopyEvent } from './carbons.types.js';

export const NS_CARBONS = 'urn:xmpp:carbons:2';
export const NS_FORWARD = 'urn:xmpp:forward:0';

/** XEP-0280 §4: the IQ-set that enables carbons for this resource. */
export function buildEnableCarbons(): Element {
  return xml('iq', { type: 'set' }, xml('enable', { xmlns: NS_CARBONS }));
}

/** XEP-0280 §5: the IQ-set that disables them. */
export function buildDisableCarbons(): Element {
  return xml('iq', { type: 'set' }, xml('disable', { xmlns: NS_CARBONS }));
}

/**
 * Unwraps a received or sent carbon into the copied chat message, or says why it is refused.
 * The forwarded `<message/>` is read by the chat codec's own parser ({@link parseChatMessage}), the
 * one live messages go through: content, chat states, receipts, markers, corrections and
 * retractions alike (errors and anything the chat feature does not use are refused there).
 */
export function parseCarbon(stanza: Element, context: RouteContext): CarbonsCopyEvent | StanzaParseError {
  if (stanza.name !== 'message') return new StanzaParseError('not a message');
  // XEP-0280 §11: "Any forwarded copies received by a Carbons-enabled client MUST be from that user's
  // bare JID; any copies that do not meet this requirement MUST be ignored."
  if (stanza.attrs.from === undefined || normalizeJid(stanza.attrs.from) !== context.ownBare) {
    return new StanzaParseError('a carbon not from the own bare JID');
  }
  const wrappers = stanza.getChildElements().filter((c) => c.getNS() === NS_CARBONS && (c.name === 'received' || c.name === 'sent'));
  if (wrappers.length !== 1) return new StanzaParseError('not exactly one received/sent element');
  const wrapper = wrappers[0]!;
  const direction = wrapper.name as 'received' | 'sent';
  // XEP-0280 §7/§8: the wrapper "contains a <forwarded/> ... that contains the original <message/>".
  const forwarded = wrapper.getChildren('forwarded', NS_FORWARD);
  if (forwarded.length !== 1) return new StanzaParseError('not exactly one forwarded element');
  const inner = forwarded[0]!.getChildren('message');
  if (inner.length !== 1 || inner[0]!.getNS() !== 'jabber:client') return new StanzaParseError('no forwarded message');
  const original = inner[0]!;
  const message = parseChatMessage(original, context.ownBare);
  if (message instanceof StanzaParseError) return message;
  if (direction === 'sent') {
    // Sent by one of our resources to somebody: it must name a recipient and not claim a foreign sender.
    if (bareJid(message.from) !== context.ownBare) return new StanzaParseError('a sent carbon of someone else’s message');
    if (message.to === undefined) return new StanzaParseError('a sent carbon without a recipient');
  } else if (message.to !== undefined && bareJid(message.to) !== context.ownBare) {
    return new StanzaParseError('a received carbon of a message to someone else');
  }
  // XEP-0297 §3: a <delay/> beside the forwarded stanza dates it when the stanza itself has none.
  if (message.delay === undefined) {
    const outerDelay = delayStampOf(forwarded[0]!);
    if (outerDelay !== undefined) message.delay = outerDelay;
  }
  return { type: 'carbons.copy', direction, message };
}
