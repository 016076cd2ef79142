// Browser platform: WebSocket only; TCP, TLS and STARTTLS do not exist there.
import type { ConnectionClass } from '@xmpp/connection-types';
import ConnectionWebSocket from '@xmpp/websocket/lib/Connection.js';
import type { StartTls } from './platform.js';

export const platformName: 'node' | 'browser' = 'browser';

export const connectionClasses: readonly ConnectionClass[] = [ConnectionWebSocket];
export const startTls: StartTls | undefined = undefined;
