/**
 * XML-level attacks against the real wire path: a local TCP (or WebSocket) server opens an XMPP
 * stream with XmppStream, then sends hostile bytes. Each must end in a clean `protocol` drop
 * reported through `onDrop` (or parse correctly), never an exception or unbounded buffering.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Element } from '@xmpp/xml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { DropReason } from '../../../src/wire/drop-reason.js';
import {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_STANZA_BYTES,
  RestrictedXmlScanner,
  StanzaByteCounter,
  utf8ByteLength,
  type StreamLimits,
} from '../../../src/wire/limits.js';
import { XmppStream } from '../../../src/wire/xmpp-stream.js';

const HEADER =
  `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'` +
  ` id='s1' from='example.org' version='1.0' xml:lang='en'>`;

interface Opened {
  stream: XmppStream;
  elements: Element[];
  /** Resolves with the drop reason. */
  dropped: Promise<DropReason>;
  /** Writes raw bytes from the server's side of the socket. */
  send(data: string | Buffer): Promise<void>;
  /** Everything the client wrote, as text. */
  received(): string;
}

const cleanups: Array<() => void | Promise<void>> = [];
let unexpected: unknown[] = [];
const onUncaught = (err: unknown) => unexpected.push(err);

beforeEach(() => {
  unexpected = [];
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  expect(unexpected).toEqual([]);
});

/** A TCP server that answers the client's stream header with `header` and then obeys the test. */
async function openTcp(limits?: { maxStanzaBytes?: number; maxDepth?: number }, header = HEADER): Promise<Opened> {
  let fromClient = '';
  let answered: (socket: net.Socket) => void;
  const connected = new Promise<net.Socket>((resolve) => (answered = resolve));
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    cleanups.push(() => void socket.destroy());
    socket.on('data', (chunk) => {
      if (fromClient === '') {
        socket.write(header);
        answered(socket);
      }
      fromClient += chunk.toString('utf8');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
  const { port } = server.address() as AddressInfo;
  const { stream, elements, dropped } = streamTo(`xmpp://127.0.0.1:${port}`, limits);
  const opening = stream.open();
  const socket = await connected;
  // A header the client refuses never opens: the drop is what counts then.
  await Promise.race([opening, dropped]).catch(() => {});
  opening.catch(() => {});
  return {
    stream,
    elements,
    dropped,
    send: (data) =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.write(data, () => resolve());
      }),
    received: () => fromClient,
  };
}

/** A stream to `service` that records the elements it reads and how it dropped. */
function streamTo(service: string, limits?: StreamLimits) {
  const elements: Element[] = [];
  let onDrop!: (reason: DropReason) => void;
  const dropped = new Promise<DropReason>((resolve) => (onDrop = resolve));
  const stream = new XmppStream(service, 'example.org', {
    observe: () => {},
    onElement: (el) => elements.push(el),
    onDrop,
    ...(limits ? { limits } : {}),
  });
  cleanups.push(() => stream.abort());
  return { stream, elements, dropped };
}

/** Until `check` holds (the client reads the socket asynchronously). */
async function eventually(check: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function expectProtocolDrop(reason: DropReason, condition: string): void {
  expect(reason.kind).toBe('protocol');
  expect(reason.kind === 'protocol' && reason.message).toMatch(new RegExp(`^${condition}:`));
}

describe('XML attacks over a real TCP stream', () => {
  it('still reads ordinary stanzas, with the XML declaration, CDATA and the predefined entities', async () => {
    const { send, elements, stream } = await openTcp();
    await send(
      `<message from='a@b/c'><body>a &amp; b &lt;3 &#x263A;</body></message><message><body><![CDATA[<!-- not markup -->]]></body></message>`,
    );
    await eventually(() => elements.length === 2);
    expect(elements[0]!.getChildText('body')).toBe('a & b <3 ☺');
    expect(elements[1]!.getChildText('body')).toBe('<!-- not markup -->');
    stream.abort();
  });

  it('refuses a DTD with entity declarations (billion laughs) as restricted XML', async () => {
    const { send, dropped, elements } = await openTcp();
    const entities = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    await send(`<!DOCTYPE lolz [<!ENTITY lol0 "lol">${entities}]><message><body>&lol9;</body></message>`);
    expectProtocolDrop(await dropped, 'restricted-xml');
    expect(elements).toEqual([]);
  });

  it('refuses a DTD before the stream header, so the stream never opens', async () => {
    const { dropped, stream } = await openTcp(undefined, `<?xml version='1.0'?><!DOCTYPE stream [<!ENTITY x "y">]>${HEADER.slice(21)}`);
    expectProtocolDrop(await dropped, 'restricted-xml');
    await expect(stream.next(() => true, 10, 'anything')).rejects.toThrow(/ended/);
  });

  it('refuses an external entity (XXE)', async () => {
    const { send, dropped } = await openTcp();
    await send(`<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><message><body>&xxe;</body></message>`);
    expectProtocolDrop(await dropped, 'restricted-xml');
  });

  it('refuses comments and processing instructions (RFC 6120 §11.1), even split across reads', async () => {
    for (const parts of [['<!-', '- hi -->'], ['<', '?php evil() ?>'], ['<?xml-stylesheet href="x"?>']]) {
      const { send, dropped } = await openTcp();
      for (const part of parts) {
        await send(part);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expectProtocolDrop(await dropped, 'restricted-xml');
    }
  });

  it('drops the stream on an undefined entity in text or in an attribute instead of throwing from the socket handler', async () => {
    for (const stanza of [`<message><body>&foo;</body></message>`, `<message id='&foo;'/>`, `<message><body>&#0;</body></message>`]) {
      const { send, dropped, elements } = await openTcp();
      await send(stanza);
      expectProtocolDrop(await dropped, 'not-well-formed');
      expect(elements).toEqual([]);
    }
  });

  it('drops the stream on a mismatched end tag', async () => {
    const { send, dropped } = await openTcp();
    await send(`<message><body>x</message>`);
    expectProtocolDrop(await dropped, 'not-well-formed');
  });

  it('refuses invalid UTF-8 instead of reading it as U+FFFD', async () => {
    for (const bytes of [[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80] /* a UTF-16 surrogate */, [0xc0, 0xaf] /* overlong '/' */]) {
      const { send, dropped, elements } = await openTcp();
      await send(Buffer.concat([Buffer.from('<message><body>'), Buffer.from(bytes), Buffer.from('</body></message>')]));
      expectProtocolDrop(await dropped, 'unsupported-encoding');
      expect(elements).toEqual([]);
    }
  });

  it('reads a multi-byte character split across two socket reads', async () => {
    const { stream, elements } = await openTcp();
    const bytes = Buffer.from(`<message><body>héllo 😀</body></message>`, 'utf8');
    const cut = bytes.indexOf(Buffer.from('😀', 'utf8')) + 2;
    const accent = bytes.indexOf(Buffer.from('é', 'utf8')) + 1;
    // The socket's own data handler, called with the reads the kernel could have produced.
    stream.connection._onData(bytes.subarray(0, accent));
    stream.connection._onData(bytes.subarray(accent, cut));
    stream.connection._onData(bytes.subarray(cut));
    expect(elements.map((el) => el.getChildText('body'))).toEqual(['héllo 😀']);
    stream.abort();
  });

  it('refuses 100,000 nested elements at the depth limit, without a stack overflow', async () => {
    const { send, dropped, elements } = await openTcp();
    await send(`<message>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</message>`);
    const reason = await dropped;
    expectProtocolDrop(reason, 'policy-violation');
    expect(reason.kind === 'protocol' && reason.message).toContain(`deeper than ${DEFAULT_MAX_DEPTH}`);
    expect(elements).toEqual([]);
  });

  it('accepts nesting up to the limit', async () => {
    const { send, elements, stream } = await openTcp({ maxDepth: 10 });
    // stream (1) > message (2) > 8 levels of <a/> = 10.
    await send(`<message>${'<a>'.repeat(8)}${'</a>'.repeat(8)}</message>`);
    await eventually(() => elements.length === 1);
    stream.abort();
  });

  it('drops megabytes of text without a closing tag once past the stanza limit, without buffering the rest', async () => {
    const { send, dropped, stream } = await openTcp();
    await send(`<message><body>`);
    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    let over: DropReason | undefined;
    void dropped.then((reason) => (over = reason));
    while (!over && sent < 8 * DEFAULT_MAX_STANZA_BYTES) {
      await send(chunk);
      sent += chunk.length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const reason = await dropped;
    expectProtocolDrop(reason, 'policy-violation');
    expect(reason.kind === 'protocol' && reason.message).toContain(`over ${DEFAULT_MAX_STANZA_BYTES} bytes`);
    // Dropped within a few reads of the limit, long before everything was sent.
    expect(sent).toBeLessThan(3 * DEFAULT_MAX_STANZA_BYTES);
    expect(stream.connection.parser).toBeNull();
  });

  it('counts bytes per stanza, not per stream: many stanzas under the limit pass', async () => {
    const { send, elements, stream } = await openTcp({ maxStanzaBytes: 4096 });
    const stanza = `<message><body>${'y'.repeat(3000)}</body></message>`;
    for (let i = 0; i < 20; i++) {
      await send(stanza);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await eventually(() => elements.length === 20);
    stream.abort();
  });

  it('drops one stanza over a small limit and says so to the server', async () => {
    const { send, dropped, received } = await openTcp({ maxStanzaBytes: 4096 });
    await send(`<message><body>${'z'.repeat(10_000)}</body></message>`);
    expectProtocolDrop(await dropped, 'policy-violation');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received()).toContain(`<policy-violation xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>`);
  });
});

describe('closing a stream', () => {
  it("completes the closing handshake on the server's closing tag (RFC 6120 §4.4), not on the timeout", async () => {
    const opened = await openTcp();
    await opened.send(`<stream:features/>`);
    const closing = opened.stream.close();
    await eventually(() => opened.received().includes('</stream:stream>'));
    await opened.send('</stream:stream>');
    await expect(closing).resolves.toBe(true);
  });
});

describe('XML attacks over a WebSocket stream (RFC 7395 framing: no stream root)', () => {
  async function openWs(limits?: { maxStanzaBytes?: number }) {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'xmpp' });
    await new Promise<void>((resolve) => wss.on('listening', () => resolve()));
    cleanups.push(() => new Promise<void>((done) => wss.close(() => done())));
    const connected = new Promise<import('ws').WebSocket>((resolve) =>
      wss.on('connection', (ws) => {
        ws.on('error', () => {});
        ws.once('message', () => {
          ws.send(`<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='example.org' id='w1' version='1.0'/>`);
          resolve(ws);
        });
      }),
    );
    const { port } = wss.address() as AddressInfo;
    const { stream, elements, dropped } = streamTo(`ws://127.0.0.1:${port}/ws`, limits);
    const opening = stream.open();
    const ws = await connected;
    await opening;
    return { stream, elements, dropped, ws };
  }

  it('reads frames, refuses one frame over the limit before parsing it, and deep nesting', async () => {
    const small = await openWs({ maxStanzaBytes: 2048 });
    small.ws.send(`<message xmlns='jabber:client'><body>ok</body></message>`);
    await eventually(() => small.elements.length === 1);
    small.ws.send(`<message xmlns='jabber:client'><body>${'w'.repeat(5000)}</body></message>`);
    expectProtocolDrop(await small.dropped, 'policy-violation');

    const deep = await openWs();
    deep.ws.send(`<message xmlns='jabber:client'>${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}</message>`);
    expectProtocolDrop(await deep.dropped, 'policy-violation');
    expect(deep.elements).toEqual([]);
  });

  it('refuses a DTD and an undefined entity in a frame', async () => {
    const doctype = await openWs();
    doctype.ws.send(`<!DOCTYPE x [<!ENTITY a "b">]><message xmlns='jabber:client'><body>&a;</body></message>`);
    expectProtocolDrop(await doctype.dropped, 'restricted-xml');
    const entity = await openWs();
    entity.ws.send(`<message xmlns='jabber:client'><body>&foo;</body></message>`);
    expectProtocolDrop(await entity.dropped, 'not-well-formed');
  });
});

describe('wire limits', () => {
  it('counts UTF-8 bytes of strings like Buffer.byteLength', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀b€é', '\ud800x', 'x\udc00']) {
      expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
  });

  it('counts reads until a boundary', () => {
    const counter = new StanzaByteCounter(10);
    expect(counter.add(6)).toBe(true);
    expect(counter.add(4)).toBe(true);
    expect(counter.add(1)).toBe(false);
    counter.boundary();
    expect(counter.add(10)).toBe(true);
  });

  it('finds restricted XML across reads but not inside CDATA', () => {
    const scan = (...reads: string[]) => {
      const scanner = new RestrictedXmlScanner();
      return reads.map((r) => scanner.scan(r)?.condition).find((c) => c !== undefined);
    };
    expect(scan(`<?xml version='1.0'?><stream:stream>`, `<message/>`)).toBeUndefined();
    expect(scan(`<body><![CDATA[<!DOCTYPE x><?pi?>]]></body>`)).toBeUndefined();
    expect(scan(`<body><![CD`, `ATA[<!-- x -->]`, `]>`, `</body>`)).toBeUndefined();
    expect(scan(`<body><![CDATA[x]]>`, `<!-- after the section -->`)).toBe('restricted-xml');
    expect(scan(`<`, `!`, `DOCTYPE x>`)).toBe('restricted-xml');
    expect(scan(`<!ENTITY x "y">`)).toBe('restricted-xml');
    expect(scan(`<?`, `xm`, `l-stylesheet?>`)).toBe('restricted-xml');
    expect(scan(`<?pi?>`)).toBe('restricted-xml');
    expect(scan(`<a b='<!--'/>`)).toBe('restricted-xml');
  });
});
