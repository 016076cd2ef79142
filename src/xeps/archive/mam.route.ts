/**
 * Routing of archive results: the `<result/>` message is checked by the MAM codec and the message
 * it forwards is read by the codec of its kind (1:1 chat, groupchat), so that what goes on to the
 * archive actor is plain data. Which archive a result may come from depends on the open queries,
 * which only the actor knows: the route records the sender, the actor compares.
 */
import type { Element } from '@xmpp/xml';
import { bareJid, parseJid } from '../../jid.js';
import { MAX_BODY_LENGTH, originIdOf, parseChatMessage, usableId } from '../chat/chat.codec.js';
import type { RouteContext } from '../feature.js';
import { StanzaParseError } from '../iq-request.js';
import type { ArchivedEntry, ArchivedGroupchat } from './archive.types.js';
import { parseMamResult } from './mam.codec.js';
import type { MamResult, MamResultEvent } from './mam.types.js';

/** A 1:1 message from the own archive, attributed from its own `from` and `to`. */
function chatEntry(result: MamResult, ownBare: string): ArchivedEntry {
  const message = parseChatMessage(result.message, ownBare);
  if (message instanceof StanzaParseError) return { kind: 'other' };
  // XEP-0313 §3.5: "When a message is archived, the server MUST add an <stanza-id/> element ...
  // The 'by' attribute MUST be set to the address of the archive." The result's archive id is that
  // stanza-id, so a live copy and the archived one meet on the same key.
  message.stanzaId = result.archiveId;
  if (message.delay === undefined && result.stamp !== undefined) message.delay = result.stamp;
  const sender = bareJid(message.from);
  if (sender === ownBare) {
    // Sent by one of our devices: it must name the contact it went to.
    return message.to === undefined ? { kind: 'other' } : { kind: 'chat', direction: 'out', message };
  }
  // Received: addressed to this account (or without `to`, which the archive left out).
  if (message.to !== undefined && bareJid(message.to) !== ownBare) return { kind: 'other' };
  return { kind: 'chat', direction: 'in', message };
}

/** A groupchat message from a room's archive: from an occupant of that room, never from elsewhere. */
function groupchatEntry(result: MamResult, room: string): ArchivedEntry {
  const { message } = result;
  if (message.attrs.type !== 'groupchat') return { kind: 'other' };
  const from = parseJid(message.attrs.from);
  if (from?.resource === undefined || bareJid(message.attrs.from) !== room) return { kind: 'other' };
  const parsed: ArchivedGroupchat = { from: `${room}/${from.resource}`, nick: from.resource };
  const body = message.getChildText('body');
  if (body !== null && body.length > MAX_BODY_LENGTH) return { kind: 'other' };
  if (body) parsed.body = body;
  const subject = message.getChildText('subject');
  if (subject !== null) parsed.subject = subject;
  const idAttr = usableId(message.attrs.id);
  if (idAttr !== undefined) parsed.idAttr = idAttr;
  const originId = originIdOf(message);
  if (originId !== undefined) parsed.originId = originId;
  return { kind: 'groupchat', message: parsed };
}

/**
 * Reads an archive result for the archive actor, or why it is refused. The sender must be the own
 * account (no `from`, or the own bare JID) or a bare JID (a room); the actor then checks it is the
 * archive the query with that queryid went to (XEP-0313 §8.2).
 */
export function readArchivedResult(stanza: Element, context: RouteContext): MamResultEvent | StanzaParseError {
  const from = stanza.attrs.from;
  const archive = from === undefined ? context.ownBare : bareJid(from);
  if (archive === undefined) return new StanzaParseError('result from an unusable JID');
  const own = archive === context.ownBare;
  const result = parseMamResult(stanza, own ? { ownBare: context.ownBare } : { ownBare: context.ownBare, archive });
  if (result instanceof StanzaParseError) return result;
  const event: MamResultEvent = {
    type: 'mam.result',
    queryId: result.queryId,
    archiveId: result.archiveId,
    archive,
    entry: own ? chatEntry(result, context.ownBare) : groupchatEntry(result, archive),
  };
  if (result.stamp !== undefined) event.stamp = result.stamp;
  return event;
}

export function routeMamStanza(stanza: Element, context: RouteContext): MamResultEvent[] {
  const event = readArchivedResult(stanza, context);
  return event instanceof StanzaParseError ? [] : [event];
}
