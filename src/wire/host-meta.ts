import { Parser, type Element } from '@xmpp/xml';
import { XmppAdapterError, errorMessage } from '../errors.js';
import { isDomain } from '../jid.js';
import { isLoopbackHost } from './negotiate.js';

/** XEP-0156 §3.1: the link relation of an XMPP-over-WebSocket endpoint (RFC 7395). */
export const REL_WEBSOCKET = 'urn:xmpp:alt-connections:websocket';

const NS_XRD = 'http://docs.oasis-open.org/ns/xri/xrd-1.0';
/** A host-meta document is a few links; anything bigger is not one. */
const MAX_HOST_META_BYTES = 64 * 1024;

export interface DiscoverOptions {
  /** Where `/.well-known/host-meta` is fetched from. @default `https://<domain>` */
  origin?: string;
  /** Accept a `ws:` endpoint from a host that is not loopback. @default false */
  allowInsecure?: boolean;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/**
 * The WebSocket endpoints a host-meta document lists (XEP-0156 §3), in the XML form (which §3.3
 * makes REQUIRED) or the optional JSON form. Unparseable input gives none; DTDs are refused.
 */
export function parseHostMeta(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const links = (JSON.parse(trimmed) as { links?: unknown }).links;
      if (!Array.isArray(links)) return [];
      return links.flatMap((link: { rel?: unknown; href?: unknown }) =>
        link && link.rel === REL_WEBSOCKET && typeof link.href === 'string' ? [link.href] : [],
      );
    } catch {
      return [];
    }
  }
  if (/<!(DOCTYPE|ENTITY)/i.test(trimmed)) return [];
  const hrefs: string[] = [];
  const parser = new Parser();
  parser.on('element', (el: Element) => {
    if (el.name === 'Link' && el.getNS() === NS_XRD && el.attrs.rel === REL_WEBSOCKET && typeof el.attrs.href === 'string') {
      hrefs.push(el.attrs.href);
    }
  });
  parser.on('error', () => {});
  try {
    parser.write(trimmed.replace(/^<\?xml[^>]*\?>/, ''));
  } catch {
    return [];
  }
  return hrefs;
}

/**
 * XEP-0156 §5: "Entities that use these connection methods MUST conform to the security
 * considerations of each method, for example by preferring to use 'https' or 'wss' URLs": only
 * `wss:` is taken, `ws:` only on loopback (development) or when the app allows it.
 */
function usableEndpoint(href: string, allowInsecure: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  if (url.protocol === 'wss:') return url.toString();
  if (url.protocol === 'ws:' && (allowInsecure || isLoopbackHost(url.hostname))) return url.toString();
  return undefined;
}

/**
 * Finds the WebSocket endpoint of `domain` from its host-meta (XEP-0156), for `createXmppClient`'s
 * `service` when only the domain is known (typical in browsers, which cannot look up SRV records).
 * Rejects with `feature-failed` when the domain lists no usable endpoint.
 */
export async function discoverService(domain: string, options: DiscoverOptions = {}): Promise<string> {
  if (typeof domain !== 'string' || !isDomain(domain.toLowerCase())) {
    throw new XmppAdapterError('invalid-argument', `not a domain: ${String(domain)}`);
  }
  const origin = new URL(options.origin ?? `https://${domain.toLowerCase()}`);
  // The document decides where the password goes next: it must come over TLS too, or from loopback.
  if (origin.protocol !== 'https:' && !(origin.protocol === 'http:' && isLoopbackHost(origin.hostname))) {
    throw new XmppAdapterError('invalid-argument', `host-meta must come over https, not ${origin.protocol}`);
  }
  const doFetch = options.fetch ?? globalThis.fetch;
  let text: string;
  try {
    const response = await doFetch(new URL('/.well-known/host-meta', origin), {
      headers: { accept: 'application/xrd+xml' },
      redirect: 'error',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = await response.text();
  } catch (err) {
    throw new XmppAdapterError('feature-failed', `no host-meta for ${domain}: ${errorMessage(err)}`);
  }
  if (text.length > MAX_HOST_META_BYTES) throw new XmppAdapterError('feature-failed', `the host-meta of ${domain} is too large`);
  const allowInsecure = options.allowInsecure === true;
  for (const href of parseHostMeta(text)) {
    const endpoint = usableEndpoint(href, allowInsecure);
    if (endpoint) return endpoint;
  }
  throw new XmppAdapterError('feature-failed', `the host-meta of ${domain} lists no usable WebSocket endpoint (wss:)`);
}
