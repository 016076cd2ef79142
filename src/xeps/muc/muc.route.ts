import type { Element } from '@xmpp/xml';
import type { RouteContext } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import {
  NS_CONFERENCE,
  NS_MUC_USER,
  parseGroupchat,
  parseInvitation,
  parseOccupantPresence,
  parsePrivateMessage,
  parseRoomPresenceError,
} from './muc.codec.js';
import type { MucRoutedEvent } from './muc.events.js';
import { unwrapMucSubEvent } from './mucsub.codec.js';

const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';

/**
 * An ejabberd MucSub event: the room's own message or presence, unwrapped and read like a live
 * one. Only rooms we subscribed to (or are in) take it; PEP events of other nodes are not ours.
 */
function routeMucSubEvent(stanza: Element, context: RouteContext): MucRoutedEvent[] {
  const event = unwrapMucSubEvent(stanza);
  if (event instanceof StanzaParseError) return [];
  return routeMucStanza(event.stanza, context).filter((e) => e.type === 'muc.message' || e.type === 'muc.presence');
}

/**
 * What the `muc` manager gets from the wire: occupant presences (with a muc#user payload), presence
 * errors (only rooms we are in take them), groupchat messages and invitations. The manager passes
 * each on only to a room it has, so a stanza about any other JID goes nowhere.
 */
export function routeMucStanza(stanza: Element, _context: RouteContext): MucRoutedEvent[] {
  if (stanza.name === 'presence') {
    if (stanza.attrs.type === 'error') {
      const error = parseRoomPresenceError(stanza);
      return error instanceof StanzaParseError ? [] : [{ type: 'muc.presenceError', error }];
    }
    if (!stanza.getChild('x', NS_MUC_USER)) return [];
    const presence = parseOccupantPresence(stanza);
    return presence instanceof StanzaParseError ? [] : [{ type: 'muc.presence', presence }];
  }
  if (stanza.name !== 'message') return [];
  if (stanza.getChild('event', NS_PUBSUB_EVENT)) return routeMucSubEvent(stanza, _context);
  if (stanza.attrs.type === 'groupchat') {
    const message = parseGroupchat(stanza);
    return message instanceof StanzaParseError ? [] : [{ type: 'muc.message', message }];
  }
  if (stanza.attrs.type === 'error' || !(stanza.getChild('x', NS_MUC_USER) || stanza.getChild('x', NS_CONFERENCE))) return [];
  const privateMessage = parsePrivateMessage(stanza);
  if (!(privateMessage instanceof StanzaParseError)) return [{ type: 'muc.private', message: privateMessage }];
  const invitation = parseInvitation(stanza);
  // Declines of our invitations are not shown yet.
  return invitation instanceof StanzaParseError || !('direct' in invitation) ? [] : [{ type: 'muc.invitation', invitation }];
}
