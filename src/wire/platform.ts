// Node platform: WebSocket (global or the `ws` package), TCP with STARTTLS, and direct TLS.
// The browser build swaps this file for platform.browser.ts (see tsup.config.ts).
import { Resolver } from 'node:dns/promises';
import type { ConnectionClass } from '@xmpp/connection-types';
import ConnectionTCP from '@xmpp/tcp/lib/Connection.js';
import ConnectionTLS from '@xmpp/tls/lib/Connection.js';
import { canUpgrade, upgrade } from '@xmpp/starttls/starttls.js';
import { NodeWebSocketConnection } from './node-websocket.js';
import { resolveSrvEndpoints } from './srv.js';

export const platformName: 'node' | 'browser' = 'node';

export const connectionClasses: readonly ConnectionClass[] = [NodeWebSocketConnection, ConnectionTCP, ConnectionTLS];

export interface StartTls {
  canUpgrade(socket: unknown): boolean;
  upgrade(socket: unknown, options: { host: string }): Promise<unknown>;
}

export const startTls: StartTls | undefined = { canUpgrade, upgrade };

/** A place to connect to, as `XmppStream` takes it. */
export interface ServiceEndpoint {
  url: string;
}

export interface EndpointDiscovery {
  /** DNS servers for the SRV queries (`'192.0.2.1'`, `'[2001:db8::1]:53'`); the system's when omitted. */
  servers?: readonly string[];
  /** Ends a discovery that is no longer wanted. */
  signal?: AbortSignal;
}

/** Bounds of one SRV query: a quiet DNS server should not eat the whole connect timeout. */
const DNS_TIMEOUT_MS = 2500;
const DNS_TRIES = 2;

/**
 * Where to connect for `domain` when the app gave no `service`: its SRV records (RFC 6120 §3.2.1,
 * XEP-0368 for direct TLS) in the order to try, or the domain on port 5222 when it has none.
 * Asked again before every connection attempt, so a change in DNS reaches the next reconnect.
 */
export async function resolveEndpoints(domain: string, options: EndpointDiscovery = {}): Promise<readonly ServiceEndpoint[]> {
  const resolver = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: DNS_TRIES });
  if (options.servers && options.servers.length > 0) resolver.setServers([...options.servers]);
  const cancel = () => resolver.cancel();
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await resolveSrvEndpoints(domain, { resolver });
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }
}
