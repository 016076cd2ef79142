// Browser platform: WebSocket only; TCP, TLS, STARTTLS and DNS SRV queries do not exist there.
import type { ConnectionClass } from '@xmpp/connection-types';
import ConnectionWebSocket from '@xmpp/websocket/lib/Connection.js';
import { discoverService } from './host-meta.js';
import type { EndpointDiscovery, ServiceEndpoint, StartTls } from './platform.js';

export const platformName: 'node' | 'browser' = 'browser';

export const connectionClasses: readonly ConnectionClass[] = [ConnectionWebSocket];
export const startTls: StartTls | undefined = undefined;

/**
 * Where to connect for `domain` when the app gave no `service`: a browser cannot ask DNS for SRV
 * records, so the domain's host-meta (XEP-0156) names its WebSocket endpoint. `servers` does not
 * apply here.
 */
export async function resolveEndpoints(domain: string, options: EndpointDiscovery = {}): Promise<readonly ServiceEndpoint[]> {
  const url = await discoverService(domain, options.signal ? { signal: options.signal } : {});
  return [{ url }];
}
