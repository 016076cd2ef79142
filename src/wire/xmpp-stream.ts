import { Client } from '@xmpp/client-core';
import type { XmppConnection } from '@xmpp/connection-types';
import type { Element } from '@xmpp/xml';
import type { DropReason } from './drop-reason.js';
import {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_STANZA_BYTES,
  RestrictedXmlScanner,
  StanzaByteCounter,
  utf8ByteLength,
  type StreamLimits,
  type StreamViolation,
} from './limits.js';
import { NS_STREAM_ERRORS, NS_STREAMS } from './namespaces.js';
import { connectionClasses } from './platform.js';

/**
 * One XML stream over one socket, built on xmpp.js's connection classes. A new instance is made
 * for every connection attempt, so a dead socket's late events can never reach a newer stream.
 * Only this file and the negotiation code that drives it touch xmpp.js.
 */
export interface XmppStreamHandlers {
  /** Sees every top-level element first and synchronously (stream-management counting). */
  observe(element: Element): void;
  /** A top-level element that no negotiation step was waiting for. */
  onElement(element: Element): void;
  /** The stream ended without `close()` being called; fired at most once. */
  onDrop(reason: DropReason): void;
  /** Bounds on inbound data; a stream over them is dropped with a `protocol` reason. */
  limits?: StreamLimits;
  /**
   * Called between the parts of a long socket read (READ_PART_CHARS each), with the parser at rest:
   * what the earlier parts held can be handed on, and answered, before the rest is parsed.
   */
  onReadPart?(): void;
}

/**
 * A socket read (up to 64 KiB) is parsed in parts of this many characters. A page of archive
 * results arrives as a few full reads, and the query for the next page leaves when the page's
 * first result is handled: parsing and handing on a whole read first kept the server idle for
 * 5–25 ms per page (measured through a proxy, pages of 250).
 */
export const READ_PART_CHARS = 16_384;

/** `text` in parts of about `size` characters, never splitting a surrogate pair. */
export function readParts(text: string, size = READ_PART_CHARS): string[] {
  if (text.length <= size) return [text];
  const parts: string[] = [];
  for (let start = 0; start < text.length;) {
    let end = Math.min(start + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

type Waiter = {
  match: (el: Element) => boolean;
  resolve: (el: Element) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
};

/** Checks every socket read before xmpp.js parses it; a refusal ends the stream. */
interface InboundGuard {
  /** The read as text to parse, or undefined when it was refused. */
  accept(data: unknown): string | undefined;
  /** A new parser (stream open or restart). */
  attached(parser: unknown): void;
  /** The parser threw while reading `data`. */
  failed(error: unknown): void;
}

/**
 * xmpp.js's client, changed in three places: see-other-host is reported instead of followed; socket
 * data that arrives once the parser is gone (after the server closed the stream, or after a parse
 * error) is dropped — xmpp.js would throw an uncaught TypeError from the socket handler; and every
 * read passes the inbound guard, and nothing the parser throws escapes the socket handler (ltx
 * throws on an undefined entity such as `&foo;`, which would be an uncaught exception).
 */
class RedirectReportingClient extends Client {
  guard: InboundGuard | undefined;
  onReadPart: (() => void) | undefined;
  /** The bare JID for the stream header's `from` (RFC 6120 §4.7.1), once the link may carry it. */
  streamFrom: (() => string | undefined) | undefined;

  override headerElement(): Element {
    const header = super.headerElement();
    const from = this.streamFrom?.();
    if (from) header.attrs.from = from;
    return header;
  }

  _onSeeOtherHost(error: { element: Element }): void {
    this.emit('see-other-host', error.element.getChildText('see-other-host', NS_STREAM_ERRORS) ?? '');
  }

  override _onData(data: unknown): void {
    if (!this.parser) return;
    const guard = this.guard;
    if (!guard) return super._onData(data);
    const text = guard.accept(data);
    if (text === undefined) return;
    try {
      // Most reads are short: one part, nothing split or copied.
      if (text.length <= READ_PART_CHARS) return super._onData(text);
      const parts = readParts(text);
      for (let i = 0; i < parts.length; i++) {
        if (i > 0) {
          this.onReadPart?.();
          // What the earlier parts held may have ended the stream.
          if (!this.parser) return;
        }
        super._onData(parts[i]);
      }
    } catch (err) {
      guard.failed(err);
    }
  }

  override _attachParser(parser: unknown): void {
    super._attachParser(parser);
    this.guard?.attached(parser);
  }

  /** The XMPP domain of the stream: what a direct TLS connection names and verifies. */
  tlsDomain = '';

  /** Where xmpp.js's connect() gets the socket's options (`net.connect` or `tls.connect`). */
  socketParameters(service: string): unknown {
    return withTlsIdentity(baseSocketParameters.call(this, service), service, this.tlsDomain);
  }
}

const baseSocketParameters = (Client.prototype as unknown as { socketParameters(this: Client, service: string): unknown }).socketParameters;

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/**
 * The TLS options of a direct TLS (`xmpps://`) socket. Without them xmpp.js hands `tls.connect`
 * only the host and port, so the certificate would be checked against the host connected to — an
 * SRV target, which DNS (unsigned, as a rule) chose — instead of the XMPP domain. With `servername`
 * set, Node sends it as SNI and verifies the certificate against it. STARTTLS (negotiate.ts) already
 * upgrades with `host: domain`, which does the same.
 */
export function withTlsIdentity(params: unknown, service: string, domain: string): unknown {
  if (params === null || typeof params !== 'object' || !/^xmpps:/i.test(service)) return params;
  return {
    ...params,
    // XEP-0368 §3 (6): "Client or server MUST set SNI TLS extension to the JID's domain part."
    // XEP-0368 §3 (4): "TLS certificates MUST be validated the same way as for STARTTLS. (i.e., as
    // specified in XMPP Core)." RFC 6120 §13.7.2.1 takes the domain as the reference identity.
    // RFC 6066 §3 allows no IP address as a server name: an IP-literal domain is left to Node's own
    // check of the host connected to.
    ...(domain && !isIpLiteral(domain) ? { servername: domain } : {}),
    // XEP-0368 §3 (7): "Client or server SHOULD set the ALPN (RFC 7301) TLS extension."
    // XEP-0368 §3 (8): "When ALPN is used, the ALPN protocol MUST be 'xmpp-client', where the SRV
    // service is 'xmpps-client'."
    ALPNProtocols: ['xmpp-client'],
  };
}

export class XmppStream {
  readonly connection: XmppConnection;
  private waiter: Waiter | undefined;
  /** An element kept for a `next()` that is not waiting yet (see `keepNext`). */
  private kept: { match: (el: Element) => boolean; element?: Element } | undefined;
  private ended = false;
  /** A graceful close is under way: reads still reach the parser, so the server's closing tag ends it. */
  private closing = false;
  private streamError: DropReason | undefined;
  private readonly maxDepth: number;
  private readonly counter: StanzaByteCounter;
  private readonly scanner = new RestrictedXmlScanner();
  // `fatal`: invalid UTF-8 is refused, not turned into U+FFFD; `stream: true` keeps a character
  // split across two reads whole (xmpp.js decodes each read on its own and would break it).
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private depth = 0;

  constructor(
    readonly service: string,
    readonly domain: string,
    private readonly handlers: XmppStreamHandlers,
  ) {
    this.maxDepth = handlers.limits?.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.counter = new StanzaByteCounter(handlers.limits?.maxStanzaBytes ?? DEFAULT_MAX_STANZA_BYTES);
    const client = new RedirectReportingClient({ service, domain });
    client.tlsDomain = domain;
    client.onReadPart = handlers.onReadPart;
    client.transports.push(...connectionClasses);
    client.guard = {
      accept: (data) => this.acceptRead(data),
      attached: (parser) => this.watchParser(parser),
      failed: (err) =>
        this.refuse({
          condition: err instanceof LimitError ? 'policy-violation' : 'not-well-formed',
          message: describe(err) ?? 'unreadable XML',
        }),
    };
    this.connection = client;
    client.on('element', (el: Element) => this.dispatch(el));
    client.on('see-other-host', (host: string) => {
      this.streamError = { kind: 'see-other-host', host };
    });
    client.on('error', (err: Error & { condition?: string; text?: string }) => {
      // ltx's parse errors (`<a></b>`): xmpp.js has sent bad-format and is closing; we do not wait for that.
      if (err.name === 'XMLError') this.drop({ kind: 'protocol', message: `not-well-formed: ${err.message}` });
      if (err.name === 'StreamError' && err.condition) {
        this.streamError =
          err.condition === 'conflict'
            ? { kind: 'conflict', text: err.text || undefined }
            : { kind: 'stream-error', condition: err.condition, text: err.text || undefined };
      }
    });
    client.on('disconnect', ({ reason }: { reason?: unknown } = {}) => {
      this.drop(this.streamError ?? { kind: 'network', message: describe(reason) ?? 'connection closed' });
    });
    client.on('close', () => {
      // The server closed the stream: a shutdown or restart unless it sent a stream error first.
      this.drop(this.streamError ?? { kind: 'stream-error', condition: 'closed-by-server' });
    });
  }

  get secure(): boolean {
    return this.connection.isSecure();
  }

  /**
   * Whether every write is a message of its own (WebSocket): RFC 7395 §3.3.3 frames each
   * top-level element as one WebSocket message, so writes may not be joined.
   */
  get framed(): boolean {
    return /^wss?:/i.test(this.service);
  }

  /** Opens the socket and the stream; resolves with the stream header. */
  async open(): Promise<void> {
    await this.connection.connect(this.service);
    disableNagle(this.connection.socket);
    await this.connection.open({ domain: this.domain });
  }

  /** Restarts the stream after STARTTLS or SASL (RFC 6120 §4.3.3). */
  async restart(): Promise<void> {
    await this.connection.restart();
  }

  /** Writes raw data; never throws (xmpp.js throws synchronously once its socket is gone). */
  async write(data: string): Promise<void> {
    await this.connection.write(data);
  }

  /**
   * Names the stream header's `from`: RFC 6120 §4.7.1 "the initiating entity SHOULD include the
   * 'from' attribute" once TLS protects the stream, and SASL2 (XEP-0388 §2.1) and FAST (XEP-0484
   * §5.1) need it to offer per-account mechanisms. Asked at every (re)open, so a stream restarted
   * after STARTTLS carries it while the first, unencrypted header does not.
   */
  announceFrom(from: () => string | undefined): void {
    (this.connection as RedirectReportingClient).streamFrom = from;
  }

  /**
   * Keeps the next element `match` accepts until a `next()` asks for it, for an answer that can
   * arrive in the same read as the one before it (SASL2's features right after its success).
   */
  keepNext(match: (el: Element) => boolean): void {
    this.kept = { match };
  }

  /** Waits for the next top-level element that `match` accepts. */
  next(match: (el: Element) => boolean, timeoutMs: number, what: string): Promise<Element> {
    if (this.ended) return Promise.reject(new Error('stream ended'));
    const kept = this.kept?.element;
    if (kept && match(kept)) {
      this.kept = undefined;
      return Promise.resolve(kept);
    }
    if (this.waiter) return Promise.reject(new Error('a negotiation step is already waiting'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = { match, resolve, reject, timer };
    });
  }

  /** Sends and waits for the answer in one step, so no reply can slip in between. */
  async exchange(data: string, match: (el: Element) => boolean, timeoutMs: number, what: string): Promise<Element> {
    const reply = this.next(match, timeoutMs, what);
    await this.write(data).catch((err: Error) => this.failWaiter(err));
    return reply;
  }

  /**
   * Graceful close: RFC 6120 §4.4 closing handshake, bounded by xmpp.js's timeout. Resolves with
   * whether the server closed its side in answer (false: the timeout ended it).
   */
  async close(): Promise<boolean> {
    this.ended = true;
    this.closing = true;
    this.failWaiter(new Error('stream closed'));
    try {
      return (await this.connection.disconnect()) !== undefined;
    } catch {
      // Closing a dead socket is not an error the app needs to see.
      return false;
    } finally {
      this.detach();
    }
  }

  /** Drops the socket at once without a closing handshake (dead peer, timeout, protocol abuse). */
  abort(): void {
    this.ended = true;
    this.failWaiter(new Error('stream aborted'));
    this.detach();
    this.destroySocket();
  }

  private destroySocket(): void {
    const socket = this.connection.socket;
    if (!socket) return;
    try {
      if (socket.destroy) socket.destroy();
      else if (socket.socket?.terminate) socket.socket.terminate();
      else if (socket.socket?.close) socket.socket.close();
      else socket.end?.();
    } catch {
      // Already gone.
    }
  }

  /** One socket read on its way to the parser: decoded, counted and scanned, or refused. */
  private acceptRead(data: unknown): string | undefined {
    if (this.ended && !this.closing) return undefined;
    let text: string;
    let bytes: number;
    if (typeof data === 'string') {
      text = data;
      bytes = utf8ByteLength(data);
    } else {
      const raw = data as Uint8Array;
      bytes = raw.byteLength;
      try {
        text = this.decoder.decode(raw, { stream: true });
      } catch {
        // RFC 6120 §4.9.3.22: <unsupported-encoding/> covers a stream "improperly encoded ... (e.g.,
        // by violating the rules of the [UTF-8] encoding)"; §11.6 makes UTF-8 the only encoding.
        this.refuse({ condition: 'unsupported-encoding', message: 'invalid UTF-8 in the stream' });
        return undefined;
      }
    }
    if (!this.counter.add(bytes)) {
      this.refuse({
        condition: 'policy-violation',
        message: `stanza over ${this.counter.max} bytes (${this.counter.bytes} without an end tag)`,
      });
      return undefined;
    }
    // RFC 6120 §4.9.3.18 <restricted-xml/>: comments, processing instructions, DTDs and entity
    // declarations "MUST" end the stream (§11.1; the sentence is quoted in limits.ts).
    const violation = this.scanner.scan(text);
    if (violation) {
      this.refuse(violation);
      return undefined;
    }
    return text;
  }

  /**
   * Follows the nesting depth through ltx's events: a top-level element's end (and the stream
   * header) resets the byte count, and nesting deeper than the limit ends the stream. The stream
   * root is depth 1 over TCP; WebSocket frames (RFC 7395) have no root.
   */
  private watchParser(parser: unknown): void {
    const sax = (parser as { parser?: { on(event: string, fn: () => void): void } } | null)?.parser;
    if (!sax) return;
    this.depth = 0;
    this.counter.boundary();
    const top = this.framed ? 0 : 1;
    sax.on('startElement', () => {
      this.depth++;
      if (this.depth === top) this.counter.boundary();
      // Thrown inside the parser's write: the socket handler's catch ends the stream.
      if (this.depth > this.maxDepth) throw new LimitError(`elements nested deeper than ${this.maxDepth}`);
    });
    sax.on('endElement', () => {
      this.depth--;
      if (this.depth === top) this.counter.boundary();
    });
  }

  /** Ends the stream over hostile or broken input: a best-effort stream error, then a protocol drop. */
  private refuse(violation: StreamViolation): void {
    if (this.ended) return;
    const error = `<stream:error${this.framed ? ` xmlns:stream="${NS_STREAMS}"` : ''}><${violation.condition} xmlns="${NS_STREAM_ERRORS}"/></stream:error>`;
    const footer = this.framed ? '<close xmlns="urn:ietf:params:xml:ns:xmpp-framing"/>' : '</stream:stream>';
    this.connection._detachParser();
    void this.write(this.framed ? error : error + footer).catch(() => {});
    if (this.framed) void this.write(footer).catch(() => {});
    this.drop({ kind: 'protocol', message: `${violation.condition}: ${violation.message}` });
  }

  private dispatch(el: Element): void {
    if (el.is('error', NS_STREAMS)) return; // reported through 'error' and 'disconnect'
    this.handlers.observe(el);
    if (this.ended) return;
    const waiter = this.waiter;
    if (waiter && waiter.match(el)) {
      clearTimeout(waiter.timer);
      this.waiter = undefined;
      waiter.resolve(el);
      return;
    }
    if (this.kept && !this.kept.element && this.kept.match(el)) {
      this.kept.element = el;
      return;
    }
    this.handlers.onElement(el);
  }

  /** Stops all callbacks; the no-op keeps a late socket error from becoming an uncaught exception. */
  private detach(): void {
    this.connection.removeAllListeners();
    this.connection.on('error', () => {});
  }

  private failWaiter(err: Error): void {
    const waiter = this.waiter;
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.waiter = undefined;
    waiter.reject(err);
  }

  private drop(reason: DropReason): void {
    if (this.ended) return;
    this.ended = true;
    this.failWaiter(new Error(`stream dropped: ${reason.kind}`));
    this.detach();
    this.destroySocket();
    this.handlers.onDrop(reason);
  }
}

/**
 * Small request/response writes (an IQ, an ack) would otherwise wait for the peer's delayed ACK
 * (~40 ms each on loopback). Applies to TCP and TLS sockets; WebSockets have no such knob here.
 */
function disableNagle(socket: unknown): void {
  const candidates = [socket, (socket as { socket?: unknown } | null)?.socket];
  for (const candidate of candidates) {
    const setNoDelay = (candidate as { setNoDelay?: (on: boolean) => void } | null)?.setNoDelay;
    if (typeof setNoDelay === 'function') setNoDelay.call(candidate, true);
  }
}

class LimitError extends Error {
  override name = 'LimitError';
}

function describe(reason: unknown): string | undefined {
  if (reason instanceof Error) return reason.message;
  if (reason && typeof reason === 'object' && 'reason' in reason) return String((reason as { reason: unknown }).reason) || undefined;
  return undefined;
}
