import type { ConnectionClass } from '@xmpp/connection-types';
import ConnectionWebSocket from '@xmpp/websocket/lib/Connection.js';
import Socket, { isSecure } from '@xmpp/websocket/lib/Socket.js';
import { WebSocket as WsWebSocket } from 'ws';

/**
 * Node 20 has no global `WebSocket` unless started with a flag; the `ws` package fills in so that
 * `ws://`/`wss://` services work in Node with no setup. A global one (Node >= 22, Deno, Bun) wins.
 */
class NodeWebSocketSocket extends Socket {
  override connect(url: string): void {
    this.url = url;
    this.secure = isSecure(url);
    const Impl = (globalThis as unknown as { WebSocket?: typeof WsWebSocket }).WebSocket ?? WsWebSocket;
    this._attachSocket(new Impl(url, ['xmpp']));
  }
}

class NodeWebSocketConnectionImpl extends ConnectionWebSocket {}
(NodeWebSocketConnectionImpl.prototype as unknown as { Socket: unknown }).Socket = NodeWebSocketSocket;

export const NodeWebSocketConnection: ConnectionClass = NodeWebSocketConnectionImpl;
