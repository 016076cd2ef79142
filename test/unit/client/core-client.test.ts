import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCoreClient } from '../../../src/client/core-client.js';
import { chat } from '../../../src/xeps/chat/index.js';
import { presence } from '../../../src/xeps/presence/index.js';
import { roster } from '../../../src/xeps/roster/index.js';
import { createFakeServer } from '../../support/fake-server.js';

const OPTIONS = { service: 'wss://example.org/ws', username: 'alice', password: 'x', domain: 'example.org' };

describe('createCoreClient', () => {
  it('runs only the features it was given, and its chat, contacts and presence APIs work', async () => {
    const server = createFakeServer({ jid: 'alice@example.org/core' });
    const client = createCoreClient(OPTIONS, { features: [roster, presence, chat], transport: server.logic, clock: new SimulatedClock() });
    const online = client.start();
    server.acceptConnection();
    await expect(online).resolves.toMatchObject({ status: 'online', jid: 'alice@example.org/core' });

    expect(client.feature('roster')).toBeDefined();
    expect(client.feature('chat')).toBeDefined();
    for (const absent of ['archive', 'muc', 'disco', 'caps', 'pubsub']) expect(client.feature(absent)).toBeUndefined();
    expect('archive' in client).toBe(false);
    expect('rooms' in client).toBe(false);

    const message = await client.messages.send('bob@example.org', 'hi');
    expect(server.expectOutgoing({ name: 'message', to: 'bob@example.org' }).getChildText('body')).toBe('hi');
    expect(message.state).toBe('sending');
    await client.stop();
    expect(client.isRunning()).toBe(false);
  });

  it('runs no feature at all when given none, and still answers an unknown IQ with service-unavailable', async () => {
    const server = createFakeServer({ jid: 'alice@example.org/bare' });
    const client = createCoreClient(OPTIONS, { features: [], transport: server.logic, clock: new SimulatedClock() });
    const online = client.start();
    server.acceptConnection();
    await online;
    expect(client.feature('roster')).toBeUndefined();
    server.pushIncoming(`<iq type='get' id='q1' from='example.org'><query xmlns='urn:example:unknown'/></iq>`);
    const reply = server.expectOutgoing({ name: 'iq', type: 'error' });
    expect(reply.attrs.id).toBe('q1');
    expect(reply.getChild('error')?.getChild('service-unavailable')).toBeDefined();
    await client.stop();
  });
});
