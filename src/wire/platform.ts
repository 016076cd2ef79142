// Node platform: WebSocket (global or the `ws` package), TCP with STARTTLS, and direct TLS.
// The browser build swaps this file for platform.browser.ts (see tsup.config.ts).
import type { ConnectionClass } from '@xmpp/connection-types';
import ConnectionTCP from '@xmpp/tcp/lib/Connection.js';
import ConnectionTLS from '@xmpp/tls/lib/Connection.js';
import { canUpgrade, upgrade } from '@xmpp/starttls/starttls.js';
import { NodeWebSocketConnection } from './node-websocket.js';

export const platformName: 'node' | 'browser' = 'node';

export const connectionClasses: readonly ConnectionClass[] = [NodeWebSocketConnection, ConnectionTCP, ConnectionTLS];

export interface StartTls {
  canUpgrade(socket: unknown): boolean;
  upgrade(socket: unknown, options: { host: string }): Promise<unknown>;
}

export const startTls: StartTls | undefined = { canUpgrade, upgrade };
