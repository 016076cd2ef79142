import { Parser, type Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { READ_PART_CHARS, XmppStream, readParts } from '../../../src/wire/xmpp-stream.js';

const handlers = { observe: () => {}, onElement: () => {}, onDrop: () => {} };

describe('XmppStream', () => {
  it('drops socket data that arrives after the parser is gone instead of throwing from the socket handler', () => {
    const stream = new XmppStream('xmpp://127.0.0.1:1', 'example.org', handlers);
    stream.connection.parser = null;
    expect(() => stream.connection._onData(Buffer.from('<message/>'))).not.toThrow();
  });

  it('never throws from write, even without a socket', async () => {
    const stream = new XmppStream('xmpp://127.0.0.1:1', 'example.org', handlers);
    await expect(stream.write('<presence/>')).rejects.toBeDefined();
  });

  it('writes one WebSocket message per element, joins writes over TCP', () => {
    expect(new XmppStream('ws://127.0.0.1:1/ws', 'example.org', handlers).framed).toBe(true);
    expect(new XmppStream('wss://example.org/ws', 'example.org', handlers).framed).toBe(true);
    expect(new XmppStream('xmpp://127.0.0.1:1', 'example.org', handlers).framed).toBe(false);
    expect(new XmppStream('xmpps://127.0.0.1:1', 'example.org', handlers).framed).toBe(false);
  });
});

describe('long socket reads', () => {
  const HEADER = `<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='example.org' version='1.0'>`;
  const message = (i: number) => `<message id='m${i}'><body>${'x'.repeat(400)} ${i}</body></message>`;

  /** A stream whose parser is attached and opened, fed through the socket handler as xmpp.js would. */
  function opened(onReadPart: () => void) {
    const elements: Element[] = [];
    const stream = new XmppStream('xmpp://127.0.0.1:1', 'example.org', {
      observe: () => {},
      onElement: (el) => elements.push(el),
      onDrop: () => {},
      onReadPart,
    });
    // What the TCP transport (@xmpp/connection-tcp) parses with.
    const client = stream.connection as unknown as { _attachParser(p: unknown): void; _onData(d: Buffer): void };
    client._attachParser(new Parser());
    client._onData(Buffer.from(HEADER));
    return { stream, elements, read: (text: string) => client._onData(Buffer.from(text)) };
  }

  it('hands a long read on in parts, the earlier parts before the rest is parsed', () => {
    const seen: number[] = [];
    const { elements, read } = opened(() => seen.push(elements.length));
    const burst = Array.from({ length: 100 }, (_, i) => message(i)).join('');
    expect(burst.length).toBeGreaterThan(2 * READ_PART_CHARS);
    read(burst);
    expect(elements.map((el) => el.attrs.id)).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
    // One call per part boundary, each after some elements and before the last of them.
    expect(seen.length).toBe(Math.ceil(burst.length / READ_PART_CHARS) - 1);
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen.at(-1)).toBeLessThan(100);
  });

  it('stops reading when what an earlier part held ended the stream', () => {
    const { stream, elements, read } = opened(() => {
      if (elements.length > 0) stream.connection.parser = null;
    });
    read(Array.from({ length: 100 }, (_, i) => message(i)).join(''));
    expect(elements.length).toBeGreaterThan(0);
    expect(elements.length).toBeLessThan(100);
  });

  it('never splits a surrogate pair between two parts', () => {
    const text = `${'a'.repeat(9)}😀${'b'.repeat(9)}`;
    // A part of 10 would end between the two halves of the emoji: it takes both.
    const parts = readParts(text, 10);
    expect(parts.join('')).toBe(text);
    expect(parts[0]).toBe(`${'a'.repeat(9)}😀`);
    for (const part of parts) expect(part).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    expect(readParts('short', 10)).toEqual(['short']);
  });
});
