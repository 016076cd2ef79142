/**
 * XEP-0045 Multi-User Chat invitations: mediated ones (§7.8.2, sent through the room, and their
 * declines) and direct ones (XEP-0249), built and read. Quotes and section numbers as in
 * muc-common.codec.ts. Pure and synchronous; never throws: builders return an
 * `XmppAdapterError('invalid-argument')` for unusable arguments, parsers a `StanzaParseError`.
 */
import { xml, type Element } from '@xmpp/xml';
import { XmppAdapterError } from '../../errors.js';
import { normalizeJid } from '../../jid.js';
import { boundedText } from '../forms.js';
import { StanzaParseError } from '../iq-request.js';
import {
  MAX_PASSWORD_LENGTH,
  MAX_REASON_LENGTH,
  NS_CONFERENCE,
  NS_MUC_USER,
  invalidArgument,
  reasonOf,
  roomJidOf,
  reasonArg,
  refuse,
  roomArg,
  shown,
} from './muc-common.codec.js';
import type { RoomDecline, RoomInvitation } from './muc.types.js';

// ---------------------------------------------------------------------------------------------
// Invitations we send
// ---------------------------------------------------------------------------------------------

/**
 * Invites `to` through the room. §7.8.2 (#invite-mediated): "To send a mediated invitation, a MUC
 * client MUST send XML of the following form to the <room@service> itself (the reason is OPTIONAL and
 * the message MUST be explicitly or implicitly of type "normal")" (so no `type`).
 */
export function buildMediatedInvite(room: string, to: string, reason?: string): Element | XmppAdapterError {
  const target = roomArg(room);
  if (target instanceof XmppAdapterError) return target;
  const invitee = normalizeJid(to);
  if (invitee === undefined) return invalidArgument(`not a JID: ${shown(to)}`);
  const children = reasonArg(reason);
  if (children instanceof XmppAdapterError) return children;
  return xml('message', { to: target }, xml('x', { xmlns: NS_MUC_USER }, xml('invite', { to: invitee }, ...children)));
}

/**
 * Declines a mediated invitation. §7.8.2: "In order to decline the invitation, the invitee MUST send
 * a message of the following form to the <room@service> itself".
 */
export function buildDecline(room: string, inviter: string, reason?: string): Element | XmppAdapterError {
  const target = roomArg(room);
  if (target instanceof XmppAdapterError) return target;
  const to = normalizeJid(inviter);
  if (to === undefined) return invalidArgument(`not a JID: ${shown(inviter)}`);
  const children = reasonArg(reason);
  if (children instanceof XmppAdapterError) return children;
  return xml('message', { to: target }, xml('x', { xmlns: NS_MUC_USER }, xml('decline', { to }, ...children)));
}

/**
 * Invites `to` directly (XEP-0249 §2): "A user invites a contact to a room by sending a <message/>
 * stanza containing only an <invitation/> element qualified by the 'jabber:x:conference' namespace"
 * (the element is `<x/>` in the XEP's example and schema) and "The 'jid' attribute, which is
 * REQUIRED, specifies the address of the groupchat room." `password` is the attribute later versions of XEP-0249 add.
 */
export function buildDirectInvite(
  to: string,
  room: string,
  options: { reason?: string; password?: string } = {},
): Element | XmppAdapterError {
  const invitee = normalizeJid(to);
  if (invitee === undefined) return invalidArgument(`not a JID: ${shown(to)}`);
  const jid = roomArg(room);
  if (jid instanceof XmppAdapterError) return jid;
  const attrs: Record<string, string> = { xmlns: NS_CONFERENCE, jid };
  if (options.reason !== undefined && options.reason !== '') {
    if (options.reason.length > MAX_REASON_LENGTH) return invalidArgument(`reason is longer than ${MAX_REASON_LENGTH} characters`);
    attrs.reason = options.reason;
  }
  if (options.password !== undefined) {
    const password = boundedText(options.password, MAX_PASSWORD_LENGTH);
    if (password === undefined) return invalidArgument(`password must be 1..${MAX_PASSWORD_LENGTH} characters`);
    attrs.password = password;
  }
  return xml('message', { to: invitee }, xml('x', attrs));
}

// ---------------------------------------------------------------------------------------------
// Invitations we receive
// ---------------------------------------------------------------------------------------------

function mediatedOf(message: Element, x: Element, el: Element, decline: boolean): RoomInvitation | RoomDecline | StanzaParseError {
  // Only the room itself relays invitations and declines: a full JID (an occupant, or anybody
  // claiming a room's address with a resource) is not the room.
  const room = roomJidOf(message.attrs.from);
  if (room === undefined) return refuse(`mediated ${el.name} not from a room's bare JID: ${shown(message.attrs.from)}`);
  // §7.8.2 (#invite-mediated): "The <room@service> itself MUST then add a 'from' address to the
  // <invite/> element whose value is the bare JID, full JID, or occupant JID of the inviter"
  const from = normalizeJid(el.attrs.from);
  if (from === undefined) return refuse(`${el.name} without a usable from`);
  const reason = reasonOf(el, NS_MUC_USER);
  if (decline) return reason === undefined ? { room, from } : { room, from, reason };
  const invitation: RoomInvitation = { room, from, direct: false };
  if (reason !== undefined) invitation.reason = reason;
  // §7.8.2: "the room SHOULD add the password if the room is password-protected"
  const password = boundedText(x.getChildText('password', NS_MUC_USER), MAX_PASSWORD_LENGTH);
  if (password !== undefined) invitation.password = password;
  return invitation;
}

function directOf(message: Element, x: Element): RoomInvitation | StanzaParseError {
  // XEP-0249 §2: the contact is invited by the sender of the message.
  const from = normalizeJid(message.attrs.from);
  if (from === undefined) return refuse('direct invitation without a usable sender');
  // XEP-0249 §2: "The 'jid' attribute, which is REQUIRED, specifies the address of the groupchat room."
  const room = roomJidOf(x.attrs.jid);
  if (room === undefined) return refuse(`direct invitation to something that is not a room: ${shown(x.attrs.jid)}`);
  const invitation: RoomInvitation = { room, from, direct: true };
  // XEP-0249 §2: "The 'reason' attribute, which is OPTIONAL, specifies a human-readable purpose for the invitation."
  const reason = boundedText(x.attrs.reason?.trim(), MAX_REASON_LENGTH);
  if (reason !== undefined) invitation.reason = reason;
  const password = boundedText(x.attrs.password, MAX_PASSWORD_LENGTH);
  if (password !== undefined) invitation.password = password;
  return invitation;
}

/**
 * Reads an invitation: mediated (`<x xmlns=muc#user><invite from/>`, only from a room's bare JID),
 * a relayed decline of one we sent (`<decline from/>`, likewise), or direct (XEP-0249
 * `<x xmlns='jabber:x:conference' jid/>` from anybody, who is the inviter). A message carrying a
 * mediated invitation is read as one even when it also carries the legacy `jabber:x:conference`
 * payload (§7.8.2 Implementation Note).
 */
export function parseInvitation(message: Element): RoomInvitation | RoomDecline | StanzaParseError {
  if (message.name !== 'message') return refuse('not a message');
  const type = message.attrs.type;
  if (type === 'error' || type === 'groupchat') return refuse(`a ${type} message is not an invitation`);
  const user = message.getChild('x', NS_MUC_USER);
  const invite = user?.getChild('invite', NS_MUC_USER);
  const decline = user?.getChild('decline', NS_MUC_USER);
  if (invite !== undefined && decline !== undefined) return refuse('both an invite and a decline');
  if (user !== undefined && invite !== undefined) return mediatedOf(message, user, invite, false);
  if (user !== undefined && decline !== undefined) return mediatedOf(message, user, decline, true);
  const conference = message.getChild('x', NS_CONFERENCE);
  return conference === undefined ? refuse('no invitation') : directOf(message, conference);
}
