import { unescapeXML } from '@xmpp/xml';

/** `type`, `id` and `to` of a serialized stanza, read off its opening tag. */
export interface StanzaHead {
  type: string | undefined;
  id: string | undefined;
  to: string | undefined;
}

/**
 * Reads `type` and `id` off the opening tag of a `<name>` stanza this client serialized (what the
 * XEP-0198 queue holds), without parsing the whole stanza. Undefined for any other element.
 */
function headOf(serialized: string, name: 'iq' | 'message'): StanzaHead | undefined {
  if (!serialized.startsWith(`<${name} `) && !serialized.startsWith(`<${name}>`)) return undefined;
  const end = serialized.indexOf('>');
  const tag = end === -1 ? serialized : serialized.slice(0, end);
  const attr = (attribute: string) => {
    const raw = new RegExp(`\\s${attribute}=(["'])(.*?)\\1`).exec(tag)?.[2];
    return raw === undefined ? undefined : unescapeXML(raw);
  };
  return { type: attr('type'), id: attr('id'), to: attr('to') };
}

export const iqHead = (serialized: string): StanzaHead | undefined => headOf(serialized, 'iq');

/** A message of ours by its stanza `id` (what the chat store keys it by) and its recipient. */
export interface SentMessageRef {
  id: string;
  to: string;
}

/** The `id` and `to` of a serialized `<message>`; undefined for anything else, or one without both. */
export function sentMessageOf(serialized: string): SentMessageRef | undefined {
  const head = headOf(serialized, 'message');
  return head?.id !== undefined && head.to !== undefined ? { id: head.id, to: head.to } : undefined;
}

/**
 * Whether a stanza the old stream never had acknowledged is still worth sending on a new session
 * (XEP-0198 resumption failed, or the server lost the session). Messages and presences are (the
 * receiving side deduplicates by id); an IQ request only while someone still waits for its answer
 * (an answered request reached the server: sending it again would repeat a roster set or a block);
 * replies to requests from the old session never (nobody waits for them any more).
 */
export function worthResending(serialized: string, isPendingRequest: (id: string) => boolean): boolean {
  const head = iqHead(serialized);
  if (!head) return true;
  if (head.type !== 'get' && head.type !== 'set') return false;
  return head.id !== undefined && isPendingRequest(head.id);
}
