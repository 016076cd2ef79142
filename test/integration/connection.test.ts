import { xml } from '@xmpp/xml';
import { afterEach, describe, expect, it } from 'vitest';
import { selectConnection } from '../../src/client/select-connection.js';
import { observedClient, type ObservedClient } from '../support/client.js';
import { SHA256_DOMAIN, TCP_URL, WS_URL, killProsody, startProsody, uniqueUser } from '../../scripts/prosody.js';

const running: ObservedClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

function track(c: ObservedClient): ObservedClient {
  running.push(c);
  return c;
}

const ping = (to: string) => xml('iq', { type: 'get', to }, xml('ping', { xmlns: 'urn:xmpp:ping' }));

function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

describe('connection against the local Prosody', () => {
  it.each([
    ['WebSocket', WS_URL],
    ['TCP', TCP_URL],
  ])('logs in over %s with SCRAM, answers IQs, and stop() leaves no socket open', async (_name, service) => {
    const before = openSockets();
    const user = await uniqueUser('conn');
    const c = observedClient(user, service);
    const view = await c.client.start();
    expect(view).toMatchObject({ status: 'online', mechanism: 'SCRAM-SHA-1', streamManagement: true, resumed: false });
    expect(view.jid?.startsWith(`${user.jid}/`)).toBe(true);
    expect(selectConnection(c.client.getSnapshot()).status).toBe('online');
    const pong = await c.client.iq(ping(user.domain));
    expect(pong.attrs.type).toBe('result');

    await c.client.stop();
    expect(c.statuses.slice(0, 5)).toEqual(['idle', 'connecting', 'authenticating', 'binding', 'online']);
    expect(c.statuses.slice(-2)).toEqual(['stopping', 'stopped']);
    expect(c.client.getSnapshot().status).toBe('done');
    // Sockets close asynchronously after the closing handshake.
    await expect.poll(openSockets, { timeout: 2000 }).toBe(before);
  });

  it('uses SCRAM-SHA-256 where the server stores SHA-256 credentials', async () => {
    const user = await uniqueUser('sha256', SHA256_DOMAIN);
    const c = track(observedClient(user, TCP_URL));
    const view = await c.client.start();
    expect(view.mechanism).toBe('SCRAM-SHA-256');
  });

  it('a wrong password ends in authFailed with the SASL condition and makes no further attempt', async () => {
    const user = await uniqueUser('badpw');
    const c = track(observedClient({ ...user, password: 'not-the-password' }, TCP_URL, { reconnect: { minDelay: 50, maxDelay: 100 } }));
    await expect(c.client.start()).rejects.toThrow(/authFailed/);
    expect(selectConnection(c.client.getSnapshot())).toMatchObject({
      status: 'authFailed',
      error: { kind: 'auth', condition: 'not-authorized' },
    });
    // Several backoff periods later there is still exactly one attempt.
    await new Promise((r) => setTimeout(r, 500));
    expect(c.statuses.filter((s) => s === 'connecting')).toHaveLength(1);
  });

  it('keeps h exact across IQ round trips (the final ack equals the stanzas received)', async () => {
    const user = await uniqueUser('smh');
    const c = observedClient(user, TCP_URL);
    await c.client.start();
    for (let i = 0; i < 25; i++) await c.client.iq(ping(user.domain));
    const received = c.inbound.length;
    expect(received).toBeGreaterThanOrEqual(25);
    await c.client.stop();
    const finalAck = c.debugLog.find((l) => l.message === 'final stream-management ack');
    expect(finalAck?.data).toEqual({ h: received });
  });

  it('resumes the XEP-0198 session after a dropped socket, and the server re-sends nothing already handled', async () => {
    const user = await uniqueUser('resume');
    const c = track(observedClient(user, TCP_URL, { reconnect: { minDelay: 50, maxDelay: 200 } }));
    await c.client.start();
    for (let i = 0; i < 10; i++) await c.client.iq(ping(user.domain));
    const beforeDrop = c.inbound.length;

    c.client.actor.system.get('transport')!.send({ type: 'transport.abort', reason: { kind: 'network', message: 'test cut' } });
    await c.waitFor('reconnecting');
    await c.waitFor('online');
    expect(selectConnection(c.client.getSnapshot()).resumed).toBe(true);
    const pong = await c.client.iq(ping(user.domain));
    expect(pong.attrs.type).toBe('result');
    // Only the new reply arrived: nothing from before the cut was delivered twice.
    expect(c.inbound.length).toBe(beforeDrop + 1);
  });

  it('comes back online on its own after Prosody is killed and restarted, delivering what was sent meanwhile once and in order', async () => {
    const [alice, bob] = await Promise.all([uniqueUser('alice'), uniqueUser('bob')]);
    const a = track(observedClient(alice, TCP_URL, { reconnect: { minDelay: 100, maxDelay: 500 } }));
    const b = track(observedClient(bob, WS_URL, { reconnect: { minDelay: 100, maxDelay: 500 } }));
    await Promise.all([a.client.start(), b.client.start()]);

    await killProsody();
    await Promise.all([a.waitFor('reconnecting'), b.waitFor('reconnecting')]);
    const tag = `offline-${Date.now()}`;
    const bodies = [1, 2, 3, 4, 5].map((n) => `${tag} #${n}`);
    for (const body of bodies) a.client.sendStanza(xml('message', { to: bob.jid, type: 'chat' }, xml('body', {}, body)));
    await startProsody();
    await Promise.all([a.waitFor('online', 30_000), b.waitFor('online', 30_000)]);
    // Killed with SIGKILL, the server lost its sessions: these are fresh sessions.
    expect(selectConnection(a.client.getSnapshot()).resumed).toBe(false);

    const arrived = () => b.inbound.filter((s) => s.includes(tag)).map((s) => /#\d/.exec(s)![0]);
    await expect.poll(() => arrived().length, { timeout: 10_000 }).toBe(bodies.length);
    await new Promise((r) => setTimeout(r, 300));
    // Once each, in the order they were sent.
    expect(arrived()).toEqual(['#1', '#2', '#3', '#4', '#5']);
  });
});
