import { xml, type Element } from '@xmpp/xml';
import type { OutOfBandLink } from './chat.types.js';

/** XEP-0066 (Out of Band Data), the message form: a link to a file the receiving client may show inline. */
export const NS_OOB = 'jabber:x:oob';

const MAX_URL_LENGTH = 4096;
const MAX_DESC_LENGTH = 1024;

/**
 * A link only when it is an absolute http(s) URL of sane length: the URL comes from the network
 * and ends up in an app's `<a href>` or `<img src>`, where `javascript:` or `data:` would be code.
 */
export function usableLink(url: unknown, desc?: unknown): OutOfBandLink | undefined {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL_LENGTH) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  const link: OutOfBandLink = { url };
  if (typeof desc === 'string' && desc.length > 0) link.desc = desc.slice(0, MAX_DESC_LENGTH);
  return link;
}

/** XEP-0066 §3: `<x xmlns='jabber:x:oob'><url/>` with an optional `<desc/>`. */
export function buildOob(link: OutOfBandLink): Element {
  return xml('x', { xmlns: NS_OOB }, xml('url', {}, link.url), link.desc !== undefined ? xml('desc', {}, link.desc) : undefined);
}

/** The message's out-of-band link, when it carries one that is safe to show. */
export function oobOf(message: Element): OutOfBandLink | undefined {
  const x = message.getChild('x', NS_OOB);
  return x ? usableLink(x.getChildText('url')?.trim(), x.getChildText('desc') ?? undefined) : undefined;
}
