import { describe, expect, it } from 'vitest';
import { selectConnection } from '../../src/index.js';
import { createTestClient, parseXml } from '../../src/testing/index.js';

// The code of docs/testing.md, run against the public testing entry.
describe('xmpp-adapter/testing', () => {
  it('drives a client online and shows what it sent', async () => {
    const { client, server, connect } = createTestClient();
    await connect();
    expect(selectConnection(client.getSnapshot()).status).toBe('online');

    const sent = await client.messages.send('bob@example.org', 'hi');
    const stanza = server.expectOutgoing({ name: 'message', to: 'bob@example.org' });
    expect(stanza.getChildText('body')).toBe('hi');
    expect(stanza.attrs.id).toBe(sent.id);

    await client.stop();
  });

  it('delivers a scripted inbound message to the app', async () => {
    const { client, server, connect } = createTestClient();
    await connect();
    const received: string[] = [];
    client.on('message', ({ message }) => received.push(message.body ?? ''));
    server.pushIncoming(parseXml('<message type="chat" from="bob@example.org/phone" id="m1"><body>hello</body></message>'));
    expect(received).toEqual(['hello']);
    await client.stop();
  });

  it('reconnects on simulated time after a drop', async () => {
    const { client, server, clock, connect } = createTestClient({ options: { reconnect: { minDelay: 1000, maxDelay: 1000 } } });
    await connect();
    server.drop();
    expect(selectConnection(client.getSnapshot()).status).toBe('reconnecting');
    clock.increment(2000);
    expect(server.connectCount).toBe(2);
    server.acceptConnection({ resumed: true });
    expect(selectConnection(client.getSnapshot())).toMatchObject({ status: 'online', resumed: true });
    await client.stop();
  });
});

describe('the testing entry', () => {
  it('imports nothing but the library, XState and xmpp.js (no test runner)', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../../src/testing/', import.meta.url);
    const imported = readdirSync(dir)
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) => [...readFileSync(new URL(file, dir), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!));
    expect(imported.filter((from) => !from.startsWith('.') && from !== 'xstate' && from !== '@xmpp/xml')).toEqual([]);
  });
});
