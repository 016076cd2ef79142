/** Read-outs of a hostile session for the cases' own checks. */
import type { SnapshotFrom } from 'xstate';
import { connectChat, type ConversationLogic, type ChatMessage } from '../../../src/xeps/chat/index.js';
import { connectRoom, type RoomLogic, type RoomMessage } from '../../../src/xeps/muc/index.js';
import type { HostileSession } from '../session.js';

export const NS_CARBONS = 'urn:xmpp:carbons:2';
export const NS_FORWARD = 'urn:xmpp:forward:0';
export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
export const NS_SID = 'urn:xmpp:sid:0';
export const NS_DELAY = 'urn:xmpp:delay';

/** The messages of the conversation with `jid`, or [] when there is none. */
export function conversation(session: HostileSession, jid: string): ChatMessage[] {
  const actor = session.client.feature(`chat:${jid}`);
  return actor ? connectChat(actor.getSnapshot() as SnapshotFrom<ConversationLogic>).messages : [];
}

/** The ids of every conversation actor. */
export function conversations(session: HostileSession): string[] {
  const chat = session.client.feature('chat');
  return Object.keys((chat?.getSnapshot() as { children: Record<string, unknown> } | undefined)?.children ?? {}).filter((id) =>
    id.startsWith('chat:'),
  );
}

export function roomMessages(session: HostileSession, room: string): RoomMessage[] {
  const actor = session.client.feature(`room:${room}`);
  return actor ? connectRoom(actor.getSnapshot() as SnapshotFrom<RoomLogic>).messages : [];
}

/** Stanzas the client sent since the input that match. */
export function sentSince(session: HostileSession, match: (el: import('@xmpp/xml').Element) => boolean) {
  return session.sinceMark().filter(match);
}
