import { unescapeXML } from '@xmpp/xml';

/**
 * Reads `type` and `id` off the opening tag of an IQ this client serialized (what the XEP-0198
 * queue holds), without parsing the whole stanza. Undefined for anything that is not an `<iq>`.
 */
export function iqHead(serialized: string): { type: string | undefined; id: string | undefined } | undefined {
  if (!serialized.startsWith('<iq ') && !serialized.startsWith('<iq>')) return undefined;
  const end = serialized.indexOf('>');
  const tag = end === -1 ? serialized : serialized.slice(0, end);
  const attr = (name: string) => {
    const raw = new RegExp(`\\s${name}=(["'])(.*?)\\1`).exec(tag)?.[2];
    return raw === undefined ? undefined : unescapeXML(raw);
  };
  return { type: attr('type'), id: attr('id') };
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
