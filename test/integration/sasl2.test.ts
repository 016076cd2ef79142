import { afterEach, describe, expect, it } from 'vitest';
import { SASL2_DOMAIN, TCP_URL, WS_URL, uniqueUser } from '../../scripts/prosody.js';
import { selectConnection } from '../../src/client/select-connection.js';
import { xml } from '../../src/index.js';
import { observedClient, type ObservedClient } from '../support/client.js';

// The sasl2.localhost host runs prosody-modules' mod_sasl2 and mod_sasl2_bind2 (config/prosody/).
const clients: ObservedClient[] = [];
const track = (c: ObservedClient) => (clients.push(c), c);
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.client.stop().catch(() => {})));
});

const ping = (to: string) => xml('iq', { type: 'get', to }, xml('ping', { xmlns: 'urn:xmpp:ping' }));

describe('SASL2 and Bind2 against the local Prosody', () => {
  it.each([
    ['TCP', TCP_URL],
    ['WebSocket', WS_URL],
  ])('logs in over %s with SASL2, binds the resource in the same round trip, and enables stream management', async (_name, service) => {
    const user = await uniqueUser('sasl2', SASL2_DOMAIN);
    const c = track(observedClient(user, service));
    const view = await c.client.start();
    expect(view).toMatchObject({ status: 'online', mechanism: 'SCRAM-SHA-1', streamManagement: true, resumed: false });
    // Prosody's Bind2 makes the resource from the client's tag: "<tag>~<id>".
    expect(view.jid).toMatch(new RegExp(`^${user.jid}/xmpp-adapter~.+`));
    expect(c.statuses.slice(0, 5)).toEqual(['idle', 'connecting', 'authenticating', 'binding', 'online']);
    const pong = await c.client.iq(ping(SASL2_DOMAIN));
    expect(pong.attrs.type).toBe('result');
  });

  it('binds the resource the app asked for the RFC 6120 way after a SASL2 login', async () => {
    const user = await uniqueUser('sasl2res', SASL2_DOMAIN);
    const c = track(observedClient(user, TCP_URL, { resource: 'desk' }));
    const view = await c.client.start();
    expect(view.jid).toBe(`${user.jid}/desk`);
    expect(view.streamManagement).toBe(true);
  });

  it('resumes the XEP-0198 session after a drop: SASL2 authenticates, then the stream is resumed', async () => {
    const user = await uniqueUser('sasl2resume', SASL2_DOMAIN);
    const c = track(observedClient(user, TCP_URL, { reconnect: { minDelay: 50, maxDelay: 200 } }));
    const first = await c.client.start();
    await c.client.iq(ping(SASL2_DOMAIN));
    c.client.actor.system.get('transport')!.send({ type: 'transport.abort', reason: { kind: 'network', message: 'test cut' } });
    await c.waitFor('reconnecting');
    await c.waitFor('online');
    const view = selectConnection(c.client.getSnapshot());
    expect(view).toMatchObject({ resumed: true, jid: first.jid });
    expect((await c.client.iq(ping(SASL2_DOMAIN))).attrs.type).toBe('result');
  });

  it('a wrong password ends in authFailed with the SASL condition', async () => {
    const user = await uniqueUser('sasl2bad', SASL2_DOMAIN);
    const c = track(observedClient({ ...user, password: 'wrong' }, TCP_URL));
    await expect(c.client.start()).rejects.toThrow();
    const view = selectConnection(c.client.getSnapshot());
    expect(view.status).toBe('authFailed');
    expect(view.error).toMatchObject({ condition: 'not-authorized' });
  });
});
