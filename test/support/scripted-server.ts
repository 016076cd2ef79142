import { Parser, type Element } from '@xmpp/xml';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** One client connection to a {@link ScriptedServer}. */
export interface ScriptedConnection {
  /** The attributes of the client's latest stream header. */
  header: Record<string, string>;
  write(data: string): void;
  destroy(): void;
}

export interface ScriptedServer {
  readonly port: number;
  /** Every connection so far, newest last. */
  readonly connections: ScriptedConnection[];
  close(): Promise<void>;
}

export interface ServerScript {
  /** The client opened (or restarted) its stream: answer with a header and features. */
  onOpen(connection: ScriptedConnection): void;
  /** A top-level element from the client. */
  onElement(element: Element, connection: ScriptedConnection): void;
}

/**
 * A loopback TCP XMPP server whose every answer a test scripts: for login flows no local server
 * offers (FAST on Prosody 0.12 cannot advertise itself) and for servers that misbehave on purpose.
 */
export async function startScriptedServer(script: ServerScript): Promise<ScriptedServer> {
  const connections: ScriptedConnection[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const connection: ScriptedConnection = {
      header: {},
      write: (data) => {
        if (!socket.destroyed) socket.write(data);
      },
      destroy: () => socket.destroy(),
    };
    connections.push(connection);
    let parser: InstanceType<typeof Parser>;
    const attach = () => {
      parser = new Parser();
      parser.on('start', (el: Element) => {
        connection.header = { ...el.attrs } as Record<string, string>;
        script.onOpen(connection);
      });
      parser.on('element', (el: Element) => script.onElement(el, connection));
      parser.on('error', () => socket.destroy());
    };
    attach();
    socket.on('data', (chunk: Buffer) => {
      let text = chunk.toString('utf8');
      // RFC 6120 §4.4: answer the client's closing tag with ours, then end the connection.
      if (text.includes('</stream:stream>')) {
        socket.end('</stream:stream>');
        return;
      }
      // A stream restart (or the first open) starts a new document.
      const open = text.indexOf('<stream:stream');
      if (open >= 0) {
        if (open > 0) parser.write(text.slice(0, open));
        attach();
        text = text.slice(open).replace(/^<\?xml[^>]*\?>/, '');
      }
      parser.write(text.replace(/<\?xml[^>]*\?>/, ''));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The server's stream header for `domain`. */
export function streamHeader(domain: string, id = 'scripted'): string {
  return `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='${domain}' id='${id}' version='1.0'>`;
}
