import { describe, expect, it } from 'vitest';
import { XmppStream } from '../../../src/wire/xmpp-stream.js';

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
