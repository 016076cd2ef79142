import { xml } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { SimulatedClock, waitFor, type ActorRefFrom, type AnyActorRef } from 'xstate';
import { createXmppClient } from '../../../src/client/create-client.js';
import { CAPS_NODE, NS_CAPS, parseCaps } from '../../../src/xeps/caps/index.js';
import { NS_DISCO_INFO, connectDisco, parseDiscoInfo, type DiscoLogic } from '../../../src/xeps/disco/index.js';
import { createFakeServer } from '../../support/fake-server.js';
import { ok } from './harness.js';

/** The default features inside a real session, over the scripted fake server. */
async function onlineClient() {
  const server = createFakeServer({ jid: 'alice@example.org/test' });
  const clock = new SimulatedClock();
  const client = createXmppClient(
    { service: 'wss://example.org/ws', username: 'alice', password: 'x', domain: 'example.org' },
    { transport: server.logic, clock },
  );
  void client.start().catch(() => {});
  server.acceptConnection();
  const caps = client.actor.system.get('caps') as AnyActorRef;
  // Our ver is hashed with WebCrypto (truly async): wait for the caps actor, not for time.
  await waitFor(caps, (s: { value: unknown }) => s.value === 'ready');
  return { server, clock, client };
}

describe('default features in a session', () => {
  it('announces caps in the initial presence that the disco responder then answers for', async () => {
    const { server, client } = await onlineClient();
    // The presence feature announces at once; if our ver was not hashed yet it announces again with `<c/>`.
    const presences = server.sent({ name: 'presence' });
    expect(presences.length).toBeGreaterThanOrEqual(1);
    const c = ok(parseCaps(presences.at(-1)!));
    expect(c.node).toBe(CAPS_NODE);

    server.pushIncoming(
      `<iq type='get' id='d1' from='bob@example.org/pc' to='alice@example.org/test'><query xmlns='${NS_DISCO_INFO}' node='${CAPS_NODE}#${c.ver}'/></iq>`,
    );
    // disco hashes the same ver on its own; a query that comes first waits for it rather than failing.
    const disco = client.actor.system.get('disco') as ActorRefFrom<DiscoLogic>;
    await waitFor(disco, (s) => s.matches({ ownCaps: 'ready' }));
    expect(disco.getSnapshot().context.ownVer).toBe(c.ver);
    expect(server.sent({ name: 'iq', type: 'error' })).toHaveLength(0);
    const answer = server.expectOutgoing({ name: 'iq', type: 'result' });
    expect(answer.attrs).toMatchObject({ id: 'd1', to: 'bob@example.org/pc' });
    const info = ok(parseDiscoInfo(answer));
    expect(info.features).toEqual(
      expect.arrayContaining([
        NS_DISCO_INFO,
        'http://jabber.org/protocol/disco#items',
        NS_CAPS,
        'urn:xmpp:ping',
        'urn:xmpp:time',
        'jabber:iq:version',
      ]),
    );
  });

  it('asks the server for its features once online', async () => {
    const { server, client } = await onlineClient();
    const request = server.expectOutgoing({ name: 'iq', type: 'get', to: 'example.org', childNs: NS_DISCO_INFO });
    server.replyResult(
      request,
      xml('query', { xmlns: NS_DISCO_INFO }, xml('identity', { category: 'server', type: 'im' }), xml('feature', { var: 'urn:xmpp:ping' })),
    );
    const disco = client.actor.system.get('disco') as ActorRefFrom<DiscoLogic>;
    await waitFor(disco, (s) => s.matches({ server: 'ready' }));
    expect(connectDisco(disco.getSnapshot()).supports('urn:xmpp:ping')).toBe(true);
  });

  it('answers ping, time and version requests, one reply each', async () => {
    const { server } = await onlineClient();
    server.pushIncoming(`<iq type='get' id='p1' from='example.org'><ping xmlns='urn:xmpp:ping'/></iq>`);
    server.pushIncoming(`<iq type='get' id='t1' from='bob@example.org/pc'><time xmlns='urn:xmpp:time'/></iq>`);
    server.pushIncoming(`<iq type='get' id='v1' from='bob@example.org/pc'><query xmlns='jabber:iq:version'/></iq>`);
    const results = server.sent({ name: 'iq', type: 'result' });
    expect(results.map((r) => r.attrs.id)).toEqual(['p1', 't1', 'v1']);
    expect(results[1]!.getChild('time', 'urn:xmpp:time')!.getChildText('utc')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(results[2]!.getChild('query', 'jabber:iq:version')!.getChildText('name')).toBe('xmpp-adapter');
    expect(server.sent({ name: 'iq', type: 'error' })).toHaveLength(0);
  });

  it('drops the stream when a keepalive ping goes unanswered', async () => {
    const { server, clock, client } = await onlineClient();
    clock.increment(30_000);
    server.expectOutgoing({ name: 'iq', type: 'get', to: 'example.org', childNs: 'urn:xmpp:ping' });
    clock.increment(10_000);
    await waitFor(client.actor, (s) => s.context.connection.status === 'reconnecting');
    expect(server.lastCommand('transport.abort')).toEqual({
      type: 'transport.abort',
      reason: { kind: 'timeout', message: 'keepalive ping unanswered within 10000 ms' },
    });
  });
});
