// Minimal typings for the parts of xmpp.js (0.14, untyped ESM) that the wire layer uses.

declare module '@xmpp/xml' {
  export type Attrs = Record<string, string | number | undefined>;
  export type Node = Element | string;

  export class Element {
    constructor(name: string, attrs?: Attrs);
    name: string;
    attrs: Record<string, string>;
    children: Node[];
    parent: Element | null;
    is(name: string, xmlns?: string): boolean;
    getNS(): string | undefined;
    getAttr(name: string): string | undefined;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    getText(): string;
    text(): string;
    text(value: string): Element;
    append(...nodes: Node[]): Element;
    c(name: string, attrs?: Attrs): Element;
    t(text: string): Element;
    up(): Element;
    toString(): string;
  }

  export class Parser {
    constructor();
    write(data: string): void;
    end(data?: string): void;
    on(event: 'element' | 'start' | 'end', fn: (el: Element) => void): this;
    on(event: 'error', fn: (err: Error) => void): this;
  }

  export function xml(name: string, attrs?: Attrs | null, ...children: Array<Node | Node[] | undefined | null | false>): Element;
  /** Reverses attribute escaping (`&quot;`, `&amp;`, numeric references, …). */
  export function unescapeXML(value: string): string;
  export default xml;
}

declare module '@xmpp/connection-types' {
  import type { Element } from '@xmpp/xml';

  export interface XmppSocket {
    secure?: boolean;
    destroy?(): void;
    end?(): void;
    socket?: { terminate?(): void; close?(): void; destroy?(): void } | null;
  }

  export interface ConnectionClass {
    new (options: Record<string, unknown>): XmppConnection;
  }

  export class XmppConnection {
    constructor(options: Record<string, unknown>);
    transports: ConnectionClass[];
    socket: XmppSocket | null;
    status: string;
    timeout: number;
    options: Record<string, unknown>;
    connect(service: string): Promise<void>;
    open(options: { domain: string; lang?: string }): Promise<Element>;
    restart(): Promise<Element>;
    write(data: string): Promise<void>;
    send(el: Element): Promise<void>;
    disconnect(): Promise<Element | undefined>;
    isSecure(): boolean;
    /** The stream header element before `to` and `xml:lang` are set (each open and restart). */
    headerElement(): Element;
    _attachSocket(socket: unknown): void;
    /** The socket's data handler: feeds the stream parser (null once detached). */
    _onData(data: unknown): void;
    /** Subscribes to a new stream parser (stream open and restart). */
    _attachParser(parser: unknown): void;
    /** Unsubscribes from the parser and forgets it, so later socket data is ignored. */
    _detachParser(): void;
    parser: unknown;
    on(event: string, fn: (...args: any[]) => void): this;
    removeAllListeners(event?: string): this;
    emit(event: string, ...args: unknown[]): boolean;
  }
}

declare module '@xmpp/client-core' {
  import type { XmppConnection } from '@xmpp/connection-types';
  export class Client extends XmppConnection {}
}

declare module '@xmpp/websocket/lib/Connection.js' {
  import type { ConnectionClass } from '@xmpp/connection-types';
  const ConnectionWebSocket: ConnectionClass;
  export default ConnectionWebSocket;
}

declare module '@xmpp/websocket/lib/Socket.js' {
  import { EventEmitter } from 'node:events';
  export default class Socket extends EventEmitter {
    socket: unknown;
    url: string | null;
    secure: boolean;
    connect(url: string): void;
    _attachSocket(socket: unknown): void;
    end(): void;
    write(data: string, fn?: (err?: Error) => void): void;
  }
  export function isSecure(url: string): boolean;
}

declare module '@xmpp/tcp/lib/Connection.js' {
  import type { ConnectionClass } from '@xmpp/connection-types';
  const ConnectionTCP: ConnectionClass;
  export default ConnectionTCP;
}

declare module '@xmpp/tls/lib/Connection.js' {
  import type { ConnectionClass } from '@xmpp/connection-types';
  const ConnectionTLS: ConnectionClass;
  export default ConnectionTLS;
}

declare module '@xmpp/starttls/starttls.js' {
  export function canUpgrade(socket: unknown): boolean;
  export function upgrade(socket: unknown, options: { host: string }): Promise<unknown>;
}
