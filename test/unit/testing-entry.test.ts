import { createMachine, type ActorRefFrom } from 'xstate';
import { createTestModel } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { connectRoster, selectConnection, XmppAdapterError, type ChatLogic } from '../../src/index.js';
import { createTestClient, flushMicrotasks, parseXml, type TestClient } from '../../src/testing/index.js';

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

  it('types a feature actor with its exported logic (docs/frameworks.md)', async () => {
    const { client, server, connect } = createTestClient();
    await connect();
    server.pushIncoming(parseXml('<message type="chat" from="bob@example.org/phone" id="m1"><body>hello</body></message>'));
    const chat = client.feature('chat') as ActorRefFrom<ChatLogic> | undefined;
    // Typed: `conversations` is the manager's list of bare JIDs, no cast needed.
    expect(chat?.getSnapshot().context.conversations).toEqual(['bob@example.org']);
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

describe('playing the server (docs/testing.md)', () => {
  it('answers the roster request and shows the contact list', async () => {
    const { client, server, connect } = createTestClient();
    await connect();
    const request = server.expectOutgoing({ name: 'iq', type: 'get', childNs: 'jabber:iq:roster' });
    server.replyResult(
      request,
      parseXml(`<query xmlns="jabber:iq:roster"><item jid="bob@example.org" name="Bob" subscription="both"/></query>`),
    );
    await flushMicrotasks(); // the reply settles a promise first
    const { contacts } = connectRoster(client.feature('roster')!.getSnapshot());
    expect(contacts.map((c) => c.name)).toEqual(['Bob']);
    await client.stop();
  });

  it('times out an unanswered request on simulated time', async () => {
    const { client, server, clock, connect } = createTestClient();
    await connect();
    const time = client.time('bob@example.org/phone');
    server.expectOutgoing({ name: 'iq', to: 'bob@example.org/phone', childNs: 'urn:xmpp:time' });
    clock.increment(15_000); // the default iqTimeout
    await expect(time).rejects.toSatisfy((err) => err instanceof XmppAdapterError && err.code === 'timeout');
    await client.stop();
  });

  it('ends in authFailed on a refused login, and start() rejects', async () => {
    const { client, server } = createTestClient();
    const started = client.start();
    server.failAuth('not-authorized');
    await expect(started).rejects.toThrow(/authFailed/);
    expect(selectConnection(client.getSnapshot()).error).toMatchObject({ kind: 'auth', condition: 'not-authorized' });
  });
});

// The model-based example of docs/testing.md.
const connectionUi = createMachine({
  id: 'connectionUi',
  initial: 'online',
  states: {
    online: { on: { DROP: 'reconnecting', STOP: 'stopped' } },
    reconnecting: { on: { BACKOFF_ELAPSED: 'connecting', STOP: 'stopped' } },
    connecting: { on: { ACCEPT: 'online', STOP: 'stopped' } },
    stopped: { type: 'final' },
  },
});

describe('connection as the app sees it (model-based)', () => {
  const model = createTestModel(connectionUi);
  for (const path of model.getSimplePaths()) {
    it(path.description, async () => {
      const app: TestClient = createTestClient({ options: { reconnect: { minDelay: 1000, maxDelay: 1000 } } });
      await app.connect();
      const status = () => selectConnection(app.client.getSnapshot()).status;
      await path.test({
        states: {
          online: () => expect(status()).toBe('online'),
          reconnecting: () => expect(status()).toBe('reconnecting'),
          connecting: () => expect(status()).toBe('connecting'),
          stopped: () => expect(status()).toBe('stopped'),
        },
        events: {
          DROP: () => app.server.drop(),
          BACKOFF_ELAPSED: () => app.clock.increment(2000),
          ACCEPT: () => app.server.acceptConnection({ resumed: true }),
          STOP: () => app.client.stop(),
        },
      });
    });
  }
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
