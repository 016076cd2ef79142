import type { Element } from '@xmpp/xml';
import { NS_CLIENT } from './namespaces.js';

/**
 * RFC 7395 §3.3.3: over WebSocket every stanza is its own document and must carry the
 * `jabber:client` namespace; over TCP it repeats the stream's default namespace, which is harmless.
 */
export function serializeStanza(stanza: Element): string {
  stanza.attrs.xmlns ??= NS_CLIENT;
  return stanza.toString();
}
